// Reference solution for B "Bracket Sequences": one stack scan per string.
#include <iostream>
#include <string>
#include <vector>

static bool balanced(const std::string& s) {
    std::vector<char> stack;
    for (char c : s) {
        if (c == '(' || c == '[' || c == '{') {
            stack.push_back(c);
            continue;
        }
        char want = c == ')' ? '(' : c == ']' ? '[' : '{';
        if (stack.empty() || stack.back() != want) return false;
        stack.pop_back();
    }
    return stack.empty();
}

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int t;
    std::cin >> t;
    std::string s, out;
    for (int i = 0; i < t; ++i) {
        std::cin >> s;
        out += balanced(s) ? "YES\n" : "NO\n";
    }
    std::cout << out;
    return 0;
}
