// A checker in the testlib convention (Polygon): check input output answer.
// Exit 0 ok, 1 wrong answer, 2 presentation error, 3 fail (the checker's own error); the comment goes to stderr.
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
    if (argc < 4) {
        std::cerr << "usage: check input output answer\n";
        return 3;
    }
    std::ifstream answer(argv[3]);
    long long expected;
    if (!(answer >> expected)) {
        std::cerr << "the answer file has no number\n";
        return 3;
    }
    std::ifstream output(argv[2]);
    std::string token;
    if (!(output >> token)) {
        std::cerr << "unexpected end of file\n";
        return 2;
    }
    try {
        if (std::stoll(token) != expected) {
            std::cerr << "expected " << expected << ", found " << token << "\n";
            return 1;
        }
    } catch (...) {
        std::cerr << "not a number: " << token << "\n";
        return 2;
    }
    std::cerr << "ok " << expected << "\n";
    return 0;
}
