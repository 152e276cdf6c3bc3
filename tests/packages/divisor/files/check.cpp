// Polygon checker: any proper divisor is accepted, and -1 only when n has none (the jury's answer says which).
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerTestlibCmd(argc, argv);
    long long n = inf.readLong();
    long long jury = ans.readLong();
    long long d = ouf.readLong();
    if (jury == -1) {
        if (d != -1) quitf(_wa, "%lld has no proper divisor, but %lld was printed", n, d);
        quitf(_ok, "no proper divisor");
    }
    if (d == -1) quitf(_wa, "%lld has the proper divisor %lld", n, jury);
    if (d <= 1 || d >= n || n % d != 0) quitf(_wa, "%lld is not a proper divisor of %lld", d, n);
    quitf(_ok, "%lld divides %lld", d, n);
}
