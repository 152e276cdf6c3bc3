// Reference solution for A "Sum of Numbers": the sum can exceed 64 bits, so use __int128.
#include <cstdio>
#include <string>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    __int128 sum = 0;
    for (int i = 0; i < n; ++i) {
        long long x;
        std::scanf("%lld", &x);
        sum += x;
    }
    bool negative = sum < 0;
    unsigned __int128 u = negative ? -(unsigned __int128)sum : (unsigned __int128)sum;
    std::string digits;
    do {
        digits.insert(digits.begin(), char('0' + int(u % 10)));
        u /= 10;
    } while (u > 0);
    std::printf("%s%s\n", negative ? "-" : "", digits.c_str());
    return 0;
}
