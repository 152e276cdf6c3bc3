// A small testlib-compatible header, written for Team Trainer's tests: only what a simple checker uses
// (registerTestlibCmd, inf/ouf/ans with readLong/readInt/readToken/seekEof, quitf with _ok/_wa/_pe/_fail).
// It is not Mike Mirzayanov's testlib.h; real Polygon packages ship that one next to their checker.
#ifndef TEAM_TRAINER_TESTLIB_H
#define TEAM_TRAINER_TESTLIB_H

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3 };

[[noreturn]] inline void quitf(TResult result, const char* format, ...) {
    std::va_list args;
    va_start(args, format);
    std::fprintf(stderr, result == _ok ? "ok " : result == _wa ? "wrong answer " : result == _pe ? "wrong output format " : "FAIL ");
    std::vfprintf(stderr, format, args);
    std::fprintf(stderr, "\n");
    va_end(args);
    std::exit(result);
}

struct InStream {
    std::FILE* file = nullptr;
    TResult on_error = _pe;

    std::string readToken() {
        int c = std::fgetc(file);
        while (c != EOF && std::isspace(c)) c = std::fgetc(file);
        if (c == EOF) quitf(on_error, "unexpected end of file");
        std::string token;
        while (c != EOF && !std::isspace(c)) {
            token += static_cast<char>(c);
            c = std::fgetc(file);
        }
        return token;
    }

    long long readLong() {
        std::string token = readToken();
        char* end = nullptr;
        long long value = std::strtoll(token.c_str(), &end, 10);
        if (token.empty() || *end != '\0') quitf(on_error, "expected an integer, found \"%s\"", token.c_str());
        return value;
    }

    int readInt() { return static_cast<int>(readLong()); }

    bool seekEof() {
        int c = std::fgetc(file);
        while (c != EOF && std::isspace(c)) c = std::fgetc(file);
        if (c == EOF) return true;
        std::ungetc(c, file);
        return false;
    }
};

inline InStream inf, ouf, ans;

inline void registerTestlibCmd(int argc, char* argv[]) {
    if (argc < 4) quitf(_fail, "usage: checker input output answer");
    inf.file = std::fopen(argv[1], "r");
    ouf.file = std::fopen(argv[2], "r");
    ans.file = std::fopen(argv[3], "r");
    if (!inf.file || !ouf.file || !ans.file) quitf(_fail, "cannot open the files");
    inf.on_error = _fail;
    ans.on_error = _fail;
}

#endif
