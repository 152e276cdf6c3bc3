// Reference solution for E "Fence Around the Orchard": monotone chain convex hull.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using Point = std::pair<long long, long long>;

static long long cross(const Point& o, const Point& a, const Point& b) {
    return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
}

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<Point> p(n);
    for (auto& [x, y] : p) std::scanf("%lld %lld", &x, &y);
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    std::vector<Point> hull;
    if (p.size() <= 2) {
        hull = p;
    } else {
        std::vector<Point> h(2 * p.size());
        size_t k = 0;
        for (size_t i = 0; i < p.size(); ++i) {
            while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
            h[k++] = p[i];
        }
        for (size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
            while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
            h[k++] = p[i];
        }
        h.resize(k - 1);
        hull = h;
    }
    double perimeter = 0;
    if (hull.size() > 1) {
        for (size_t i = 0; i < hull.size(); ++i) {
            const Point& a = hull[i];
            const Point& b = hull[(i + 1) % hull.size()];
            perimeter += std::sqrt(double((a.first - b.first) * (a.first - b.first) +
                                          (a.second - b.second) * (a.second - b.second)));
        }
    }
    std::printf("%.9f\n", perimeter);
    return 0;
}
