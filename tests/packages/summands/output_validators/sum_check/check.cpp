// Output validator (Kattis/ICPC problem package format): accepts any a, b >= 1 with a + b = n.
// Invocation: check input answer feedback_dir [flags] < team_output; exit 42 accepted, 43 wrong answer.
#include <fstream>
#include <iostream>
#include <string>

static int wrong(const std::string& feedback_dir, const std::string& why) {
    std::ofstream(feedback_dir + "/judgemessage.txt") << why << "\n";
    return 43;
}

int main(int argc, char** argv) {
    if (argc < 4) return 1;
    std::ifstream input(argv[1]);
    long long n;
    input >> n;
    long long a, b;
    if (!(std::cin >> a >> b)) return wrong(argv[3], "expected two integers");
    std::string extra;
    if (std::cin >> extra) return wrong(argv[3], "trailing output: " + extra);
    if (a < 1 || b < 1) return wrong(argv[3], "summands must be positive");
    if (a + b != n) return wrong(argv[3], "a + b != n");
    return 42;
}
