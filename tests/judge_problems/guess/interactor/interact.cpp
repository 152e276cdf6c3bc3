// Kattis interactive validator: the team guesses a secret x in 1..n, at most 10 guesses.
// It first reads n; each line "? y" is answered "<" (x is smaller), ">" (larger) or "=" (found).
// The input file holds "n x".  Exit 42 when found within the limit, 43 otherwise.
#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    long long n, x;
    std::ifstream(argv[1]) >> n >> x;
    std::string feedback = argv[3];
    std::printf("%lld\n", n);
    std::fflush(stdout);
    for (int asked = 1; asked <= 10; asked++) {
        char q;
        long long y;
        if (std::scanf(" %c %lld", &q, &y) != 2 || q != '?') {
            std::ofstream(feedback + "judgemessage.txt") << "expected a question \"? y\" at guess " << asked << "\n";
            return 43;
        }
        if (y == x) {
            std::printf("=\n");
            std::fflush(stdout);
            return 42;
        }
        std::printf(x < y ? "<\n" : ">\n");
        std::fflush(stdout);
    }
    std::ofstream(feedback + "judgemessage.txt") << "not found in 10 guesses\n";
    return 43;
}
