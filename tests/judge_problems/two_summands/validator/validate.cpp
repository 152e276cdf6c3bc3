// Kattis output validator: the team prints two positive integers a b with a + b = n (any such pair).
// validator input judge_answer feedback_dir < team_output; exit 42 accepted, 43 wrong answer.
#include <fstream>
#include <iostream>
#include <string>

static int wrong(const std::string &feedback, const std::string &why) {
    std::ofstream(feedback + "judgemessage.txt") << why << "\n";
    return 43;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    long long n;
    std::ifstream(argv[1]) >> n;
    long long a, b;
    if (!(std::cin >> a >> b)) return wrong(argv[3], "expected two integers");
    std::string extra;
    if (std::cin >> extra) return wrong(argv[3], "trailing output: " + extra);
    if (a <= 0 || b <= 0) return wrong(argv[3], "summands must be positive");
    if (a + b != n) return wrong(argv[3], std::to_string(a) + " + " + std::to_string(b) + " != " + std::to_string(n));
    return 42;
}
