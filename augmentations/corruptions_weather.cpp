// Weather corruptions of ImageNet-C (Hendrycks & Dietterich, "Benchmarking Neural Network
// Robustness to Common Corruptions and Perturbations", ICLR 2019): snow, frost, fog and, as an
// extra, spatter. The references are make_{cifar,tinyimagenet,imagenet}_c.py of
// hendrycks/robustness and bethgelab/imagecorruptions' corruptions.py, which handles any image
// size. Every layer (snow, frost texture, fog map, liquid) is drawn at the image's own size.
#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "augmentations/corruption_kernels.hpp"
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Rec. 601 luma, as cv2.cvtColor(RGB2GRAY) weighs an RGB pixel.
constexpr std::array<double, 3> kLuma = {0.299, 0.587, 0.114};

double luma(const float* rgb) { return kLuma[0] * rgb[0] + kLuma[1] * rgb[1] + kLuma[2] * rgb[2]; }

// rows x cols draws of N(mean, sd), in row-major order.
cv::Mat normal_field(int rows, int cols, double mean, double sd, Rng& rng) {
  cv::Mat f(rows, cols, CV_32F);
  float* p = f.ptr<float>();
  for (size_t i = 0, n = f.total(); i < n; ++i) p[i] = static_cast<float>(mean + sd * rng.normal());
  return f;
}

// clipped_zoom(layer, z) of imagecorruptions on one channel: the centre crop of ceil(side / z)
// per axis, enlarged by scipy.ndimage.zoom(order=1): output side round(crop * z) (Python's round,
// half to even; at least the input side), output index o sampling the crop at
// o * (crop - 1) / (out - 1) by linear interpolation. Not trimmed back here: see snow.
cv::Mat clipped_zoom(const cv::Mat& layer, double z) {
  struct Axis {
    std::vector<int> i0;
    std::vector<float> frac;
  };
  auto axis = [z](int side) {
    const int crop = static_cast<int>(std::ceil(side / z));
    const int first = (side - crop) / 2;
    const int out = static_cast<int>(std::nearbyint(crop * z));
    const double step = out > 1 ? static_cast<double>(crop - 1) / (out - 1) : 0.0;
    Axis a;
    for (int o = 0; o < out; ++o) {
      const double c = o * step;
      const int lo = std::min(static_cast<int>(c), crop - 1);
      a.i0.push_back(first + lo);
      a.frac.push_back(lo + 1 < crop ? static_cast<float>(c - lo) : 0.0f);
    }
    return a;
  };
  const Axis ys = axis(layer.rows), xs = axis(layer.cols);
  const int rows = static_cast<int>(ys.i0.size()), cols = static_cast<int>(xs.i0.size());
  cv::Mat out(rows, cols, CV_32F);
  for (int y = 0; y < rows; ++y) {
    const float fy = ys.frac[y];
    const float* r0 = layer.ptr<float>(ys.i0[y]);
    const float* r1 = layer.ptr<float>(std::min(ys.i0[y] + 1, layer.rows - 1));
    float* o = out.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      const int x0 = xs.i0[x], x1 = std::min(x0 + 1, layer.cols - 1);
      const float fx = xs.frac[x];
      const float top = r0[x0] + fx * (r0[x1] - r0[x0]);
      const float bottom = r1[x0] + fx * (r1[x1] - r1[x0]);
      o[x] = top + fy * (bottom - top);
    }
  }
  return out;
}

// snow(mu, s, z, t, R, S, b), imagecorruptions: a snow layer L = N(mu, s) at the image size,
// clipped_zoom by z, L[L < t] = 0, clipped to [0,1], motion-blurred (radius R, sigma S, angle
// U(-135, -45) degrees), rounded to 1/255 steps and cropped to the image from the top left; the
// image is brightened towards max(x, 1.5 gray(x) + .5) with weight 1 - b; out = x + L + rot180(L).
// make_imagenet_c.py trims the zoomed layer to the centre before blurring; imagecorruptions, whose
// one-sided kernel the spec takes, blurs the whole zoomed layer and crops after. That matters: the
// zoom's first row and column sit on the noise grid (full variance, so more of them pass t) and the
// blur replicates them, which at 32 px raises the layer's mean by a third (CIFAR severity 4), so
// the order here is imagecorruptions'. The CIFAR and Tiny ImageNet scripts blur with ImageMagick
// instead. A grey image is its own gray(x) (the reference's grey branch), i.e. the colour path
// applied to (v, v, v).
void snow(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double mu = p[0], sd = p[1], zoom = p[2], threshold = p[3], radius = p[4], sigma = p[5],
               keep = p[6];
  cv::Mat zoomed = clipped_zoom(normal_field(src.rows, src.cols, mu, sd, rng), zoom);
  float* l = zoomed.ptr<float>();
  for (size_t i = 0, n = zoomed.total(); i < n; ++i)
    l[i] = l[i] < threshold ? 0.0f : std::min(l[i], 1.0f);
  motion_blur(zoomed, zoomed, radius, sigma, rng.uniform(-135.0, -45.0));
  cv::Mat layer = zoomed(cv::Rect(0, 0, src.cols, src.rows)).clone();
  l = layer.ptr<float>();
  for (size_t i = 0, n = layer.total(); i < n; ++i) l[i] = std::nearbyint(l[i] * 255.0f) / 255.0f;
  cv::Mat flipped;
  cv::flip(layer, flipped, -1);
  const cv::Mat x = to_unit(src);
  const int ch = src.channels();
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const float* in = x.ptr<float>(y);
    const float* a = layer.ptr<float>(y);
    const float* b = flipped.ptr<float>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int px = 0; px < src.cols; ++px) {
      const float* v = in + px * ch;
      const double bright = 1.5 * (ch == 3 ? luma(v) : v[0]) + 0.5;
      for (int k = 0; k < ch; ++k) {
        const double lit = keep * v[k] + (1.0 - keep) * std::max<double>(v[k], bright);
        o[px * ch + k] = to_u8(lit + a[px] + b[px]);
      }
    }
  }
  dst = out;
}

// A procedural stand-in for the frost photographs the references crop (frost1..6 of
// hendrycks/robustness; their `np.random.randint(5)` only ever picks the first five). Those show
// a grey-blue film of ice covered in feathery crystals of many sizes: mean luma 121..205 (121,
// 130, 150, 205, 205; average 162), luma standard deviation 15..30 within a crop, channel means
// about R : G : B = .82 : .93 : 1. Made here from the Rng at the image's size, in layers:
//  - film: a 5 x 5 grid of N(0, 1), bicubically enlarged, so its thickness varies smoothly by
//    about +-15%, tinted (.82, .93, 1);
//  - crystals: 600 per square of the longer side, each a fern: a stem of log-uniform length
//    .02..0.3 of the side at a uniform orientation, with side branches every 5..10% of its length
//    (at least 2.5 px) at +-35..70 degrees that shorten towards the tip; drawn anti-aliased, one
//    pixel wide, at brightness U(60, 220) / 255 (branches .8 of that), blurred by a Gaussian of
//    sigma .6 px, plus N(0, .08) grain per pixel: at 32 px they blur into the fine ice grain the
//    references' downscaled photographs show, at 224 px they are distinct ferns;
//  - composite: crystals, a cold white (.92, .97, 1), laid over the film with their value as alpha.
// The film's level is solved for so that the texture's mean luma equals a target drawn from
// U(120, 205), the range of the photographs' means: the brightening frost brings is the
// references', and varies between images as the choice of photograph makes it vary there. Its
// luma spread comes out like theirs, 15..30 over the image and 14..18 within 11 x 11 windows
// (theirs 16..20), which is what decides how much structure the frost hides (the crystal count
// was chosen for it). Returns CV_32FC3 RGB on 0..255.
cv::Mat frost_texture(int rows, int cols, Rng& rng) {
  const double unit = std::max(rows, cols);
  cv::Mat coarse = normal_field(5, 5, 0.0, 1.0, rng), thickness;
  cv::resize(coarse, thickness, cv::Size(cols, rows), 0, 0, cv::INTER_CUBIC);

  cv::Mat strokes = cv::Mat::zeros(rows, cols, CV_8U);
  const double margin = 0.1 * unit;
  const int count = std::max(1, static_cast<int>(std::lround(600.0 * rows * cols / (unit * unit))));
  auto to_px = [](double x, double y) {  // cv::line's 4-bit sub-pixel coordinates
    return cv::Point(static_cast<int>(std::lround(x * 16)), static_cast<int>(std::lround(y * 16)));
  };
  for (int k = 0; k < count; ++k) {
    const double x0 = rng.uniform(-margin, cols + margin), y0 = rng.uniform(-margin, rows + margin);
    const double theta = rng.uniform(0.0, 2.0 * kPi);
    const double length = unit * 0.02 * std::pow(15.0, rng.uniform());  // log-uniform .02..0.3
    const double spread = rng.uniform(35.0, 70.0) * kPi / 180.0;
    const double brightness = rng.uniform(60.0, 220.0);
    const double spacing = std::max(2.5, length * rng.uniform(0.05, 0.1));
    const cv::Scalar stem(brightness), branch(0.8 * brightness);
    const double dx = std::cos(theta), dy = std::sin(theta);
    cv::line(strokes, to_px(x0, y0), to_px(x0 + length * dx, y0 + length * dy), stem, 1,
             cv::LINE_AA, 4);
    for (double t = spacing; t < length; t += spacing) {
      const double bx = x0 + t * dx, by = y0 + t * dy;
      const double reach = (length - t) * rng.uniform(0.3, 0.5);
      for (double side : {-1.0, 1.0}) {
        const double phi = theta + side * spread;
        cv::line(strokes, to_px(bx, by),
                 to_px(bx + reach * std::cos(phi), by + reach * std::sin(phi)), branch, 1,
                 cv::LINE_AA, 4);
      }
    }
  }
  cv::Mat ice;
  strokes.convertTo(ice, CV_32F, 1.0 / 255.0);
  cv::GaussianBlur(ice, ice, cv::Size(0, 0), 0.6, 0.6, cv::BORDER_REFLECT);
  ice += 0.08f * normal_field(rows, cols, 0.0, 1.0, rng);
  cv::min(cv::max(ice, 0.0), 1.0, ice);

  constexpr std::array<double, 3> kFilm = {0.82, 0.93, 1.0}, kCrystal = {0.92, 0.97, 1.0};
  const double film_luma = kLuma[0] * kFilm[0] + kLuma[1] * kFilm[1] + kLuma[2] * kFilm[2];
  const double crystal_luma =
      kLuma[0] * kCrystal[0] + kLuma[1] * kCrystal[1] + kLuma[2] * kCrystal[2];
  // mean luma = level * film_luma * mean(thickness * (1 - c)) + crystal_luma * mean(c).
  double film_mass = 0.0, crystal_mass = 0.0;
  for (int y = 0; y < rows; ++y) {
    const float* c = ice.ptr<float>(y);
    float* h = thickness.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      h[x] = 1.0f + 0.15f * h[x];
      film_mass += h[x] * (1.0 - c[x]);
      crystal_mass += c[x];
    }
  }
  const double n = static_cast<double>(rows) * cols;
  const double target = rng.uniform(120.0, 205.0) / 255.0;
  const double level =
      std::max(0.0, (target - crystal_luma * crystal_mass / n) / (film_luma * film_mass / n));
  cv::Mat texture(rows, cols, CV_32FC3);
  for (int y = 0; y < rows; ++y) {
    const float* c = ice.ptr<float>(y);
    const float* h = thickness.ptr<float>(y);
    float* t = texture.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      for (int k = 0; k < 3; ++k) {
        const double v = level * h[x] * kFilm[k] * (1.0 - c[x]) + kCrystal[k] * c[x];
        t[3 * x + k] = static_cast<float>(255.0 * std::min(1.0, std::max(0.0, v)));
      }
    }
  }
  return texture;
}

// frost(a, b), make_imagenet_c.py: clip(a * img + b * F, 0, 255) on the 0..255 scale, F the frost
// texture at the image's size (the references crop a photograph, resized by .2 for CIFAR and .3
// for Tiny ImageNet, so crystals keep about the same size relative to the image, as here). A grey
// image blends with the texture's luma (imagecorruptions does the same with rgb2gray).
void frost(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double a = p[0], b = p[1];
  const cv::Mat texture = frost_texture(src.rows, src.cols, rng);
  const int ch = src.channels();
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* in = src.ptr<uint8_t>(y);
    const float* f = texture.ptr<float>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < src.cols; ++x) {
      for (int k = 0; k < ch; ++k) {
        const double ice = ch == 3 ? f[3 * x + k] : luma(f + 3 * x);
        const double v = a * in[x * ch + k] + b * ice;  // clipped to 0..255 and truncated
        o[x * ch + k] = v <= 0.0 ? 0 : v >= 255.0 ? 255 : static_cast<uint8_t>(v);
      }
    }
  }
  dst = out;
}

// plasma_fractal(mapsize, wibbledecay) of the references (after FLHerne/mapgen's
// diamondsquare.py): diamond-square on a torus, mapsize a power of two. From map[0, 0] = 0, each
// level fills the square centres, then the edge midpoints of the row and of the column, each with
// the mean of its four neighbours plus wibble * U(-wibble, wibble) (the reference's amplitude is
// wibble squared); wibble starts at 100 and is divided by the decay after each level. The map is
// then shifted and scaled to 0..1. Draws in the reference's order: each level's squares, row
// diamonds, column diamonds, each in row-major order.
cv::Mat plasma_fractal(int mapsize, double decay, Rng& rng) {
  cv::Mat map(mapsize, mapsize, CV_64F, cv::Scalar(0.0));
  auto at = [&map](int y, int x) -> double& { return map.at<double>(y, x); };
  double wibble = 100.0;
  for (int step = mapsize; step >= 2; step /= 2) {
    const int half = step / 2, n = mapsize / step;
    auto next = [n](int i) { return (i + 1) % n; };
    auto prev = [n](int i) { return (i + n - 1) % n; };
    auto wibbled = [&](double sum) { return sum / 4.0 + wibble * rng.uniform(-wibble, wibble); };
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        at(i * step + half, j * step + half) =
            wibbled(at(i * step, j * step) + at(next(i) * step, j * step) +
                    at(i * step, next(j) * step) + at(next(i) * step, next(j) * step));
      }
    }
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        at(i * step, j * step + half) = wibbled(
            at(i * step + half, j * step + half) + at(prev(i) * step + half, j * step + half) +
            at(i * step, j * step) + at(i * step, next(j) * step));
      }
    }
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        at(i * step + half, j * step) = wibbled(
            at(i * step + half, j * step + half) + at(i * step + half, prev(j) * step + half) +
            at(i * step, j * step) + at(next(i) * step, j * step));
      }
    }
    wibble /= decay;
  }
  double lo = 0.0, hi = 0.0;
  cv::minMaxLoc(map, &lo, &hi);
  map = (map - lo) / (hi - lo);
  return map;
}

// fog(a, d), make_{cifar,tinyimagenet,imagenet}_c.py: x += a * plasma_fractal(256, decay d)[:H, :W]
// on every channel, then out = x * max(x) / (max(x) + a), which brings the brightest possible value
// back to the clean image's maximum. The Hendrycks scripts always draw a 256 map and crop it, so
// at 32 or 64 px the fog is a smooth corner of a large pattern (their tables were tuned for that);
// imagecorruptions' "next power of two at or above the side" gives 32 px images a whole, busier
// map. We follow the Hendrycks scripts, and take the next power of two above 256 for larger images.
void fog(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double a = p[0], decay = p[1];
  int mapsize = 256;
  while (mapsize < std::max(src.rows, src.cols)) mapsize *= 2;
  const cv::Mat plasma = plasma_fractal(mapsize, decay, rng);
  double top = 0.0;
  cv::minMaxLoc(src.reshape(1), nullptr, &top);
  const double max_x = top / 255.0, scale = max_x / (max_x + a);
  const int ch = src.channels();
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* in = src.ptr<uint8_t>(y);
    const double* f = plasma.ptr<double>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < src.cols; ++x) {
      for (int k = 0; k < ch; ++k)
        o[x * ch + k] = to_u8((in[x * ch + k] / 255.0 + a * f[x]) * scale);
    }
  }
  dst = out;
}

// The water mask of imagecorruptions' spatter (mode 0): the liquid layer, truncated to uint8;
// its Canny edges (50, 150); the L2 distance to them (5x5 mask), capped at 20 and box-blurred
// 3x3, truncated to uint8; histogram-equalised; filtered with the emboss kernel
// [[-2,-1,0],[-1,1,1],[0,1,2]] (saturating to uint8) and box-blurred 3x3 again;
// m = liquid * that, scaled so its maximum is `intensity`. OpenCV's default borders throughout,
// as in the Python calls. Two guards the reference lacks: liquid above 1 saturates to 255 (numpy
// wraps it, once in tens of thousands of pixels at the widest spread), and a layer with no liquid
// gives m = 0 (the reference divides 0 by 0).
cv::Mat water_mask(const cv::Mat& liquid, double intensity) {
  cv::Mat liquid_u8(liquid.size(), CV_8U);
  const float* l = liquid.ptr<float>();
  uint8_t* q = liquid_u8.ptr<uint8_t>();
  for (size_t i = 0, n = liquid.total(); i < n; ++i) {
    const float v = l[i] * 255.0f;
    q[i] = v >= 255.0f ? 255 : static_cast<uint8_t>(v);
  }
  cv::Mat edges, dist;
  cv::Canny(liquid_u8, edges, 50, 150);
  const cv::Mat off_edges = 255 - edges;
  cv::distanceTransform(off_edges, dist, cv::DIST_L2, 5);
  cv::threshold(dist, dist, 20, 20, cv::THRESH_TRUNC);
  cv::blur(dist, dist, cv::Size(3, 3));
  cv::Mat dist_u8(dist.size(), CV_8U);
  const float* d = dist.ptr<float>();
  uint8_t* du = dist_u8.ptr<uint8_t>();
  for (size_t i = 0, n = dist.total(); i < n; ++i)
    du[i] = static_cast<uint8_t>(d[i]);  // numpy's astype
  cv::equalizeHist(dist_u8, dist_u8);
  const cv::Mat emboss = (cv::Mat_<float>(3, 3) << -2, -1, 0, -1, 1, 1, 0, 1, 2);
  cv::filter2D(dist_u8, dist_u8, CV_8U, emboss);
  cv::blur(dist_u8, dist_u8, cv::Size(3, 3));
  cv::Mat m, liquid_f;
  dist_u8.convertTo(m, CV_32F);
  liquid_u8.convertTo(liquid_f, CV_32F);
  m = m.mul(liquid_f);
  double top = 0.0;
  cv::minMaxLoc(m, nullptr, &top);
  if (top > 0.0) m *= intensity / top;
  return m;
}

// The mud mask of imagecorruptions' spatter (mode 1): where the liquid lies above the threshold,
// blurred by a Gaussian of sigma `sigma` (scipy's, edges 'nearest'); weights below .8 dropped.
cv::Mat mud_mask(const cv::Mat& liquid, double threshold, double sigma) {
  cv::Mat m(liquid.size(), CV_32F);
  const float* l = liquid.ptr<float>();
  float* o = m.ptr<float>();
  for (size_t i = 0, n = liquid.total(); i < n; ++i) o[i] = l[i] > threshold ? 1.0f : 0.0f;
  gaussian_filter(m, m, sigma);
  o = m.ptr<float>();
  for (size_t i = 0, n = m.total(); i < n; ++i) o[i] = o[i] < 0.8f ? 0.0f : o[i];
  return m;
}

// spatter(loc, scale, sigma, threshold, intensity, mode), imagecorruptions: a liquid layer
// N(loc, scale) at the image size, Gaussian-blurred by sigma, zero below the threshold; mode 0
// (water) adds pale turquoise (175, 238, 238) / 255 weighted by the water mask,
// clip(x + m * colour); mode 1 (mud) covers with brown (63, 42, 20) / 255, x (1 - m) + m colour.
// A grey image is taken to RGB (v, v, v), spattered, and brought back with Rec. 601 luma. That is
// imagecorruptions' grey branch for mud; for water it adds the colour layer's luma to the grey
// value before clipping, which differs only where a channel passes 1.
void spatter(const cv::Mat& src, cv::Mat& dst, const Params& p, Rng& rng) {
  const double threshold = p[3], intensity = p[4];
  const bool mud = p[5] != 0.0;
  cv::Mat liquid = normal_field(src.rows, src.cols, p[0], p[1], rng);
  gaussian_filter(liquid, liquid, p[2]);
  float* l = liquid.ptr<float>();
  for (size_t i = 0, n = liquid.total(); i < n; ++i) l[i] = l[i] < threshold ? 0.0f : l[i];
  const cv::Mat m = mud ? mud_mask(liquid, threshold, intensity) : water_mask(liquid, intensity);
  const std::array<double, 3> colour =
      mud ? std::array<double, 3>{63 / 255.0, 42 / 255.0, 20 / 255.0}
          : std::array<double, 3>{175 / 255.0, 238 / 255.0, 238 / 255.0};
  const double cover = mud ? 1.0 : 0.0;  // how much of the image the mask hides
  const int ch = src.channels();
  cv::Mat out(src.size(), src.type());
  for (int y = 0; y < src.rows; ++y) {
    const uint8_t* in = src.ptr<uint8_t>(y);
    const float* w = m.ptr<float>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < src.cols; ++x) {
      std::array<double, 3> rgb{};
      for (int k = 0; k < 3; ++k) {
        const double v = in[x * ch + (ch == 3 ? k : 0)] / 255.0;
        rgb[k] = std::min(1.0, std::max(0.0, v * (1.0 - cover * w[x]) + colour[k] * w[x]));
      }
      if (ch == 3) {
        for (int k = 0; k < 3; ++k) o[3 * x + k] = to_u8(rgb[k]);
      } else {
        o[x] = to_u8(kLuma[0] * rgb[0] + kLuma[1] * rgb[1] + kLuma[2] * rgb[2]);
      }
    }
  }
  dst = out;
}

}  // namespace

std::vector<CorruptionEntry> weather_corruptions() {
  return {
      // CIFAR-10-C, Tiny ImageNet-C, ImageNet-C: (mu, s, zoom, threshold, radius, sigma, keep).
      {{"", "snow", kImageNetC,
        "layer N(mu, s) zoomed, above t, motion-blurred, plus its 180-degree turn", false, true},
       {{{{.1, .2, 1, .6, 8, 3, .95},
          {.1, .2, 1, .5, 10, 4, .9},
          {.15, .3, 1.75, .55, 10, 4, .9},
          {.25, .3, 2.25, .6, 12, 6, .85},
          {.3, .3, 1.25, .65, 14, 12, .8}}},
        {{{.1, .2, 1, .6, 8, 3, .8},
          {.1, .2, 1, .5, 10, 4, .8},
          {.15, .3, 1.75, .55, 10, 4, .7},
          {.25, .3, 2.25, .6, 12, 6, .65},
          {.3, .3, 1.25, .65, 14, 12, .6}}},
        {{{.1, .3, 3, .5, 10, 4, .8},
          {.2, .3, 2, .5, 12, 4, .7},
          {.55, .3, 4, .9, 12, 8, .7},
          {.55, .3, 4.5, .85, 12, 8, .65},
          {.55, .3, 2.5, .85, 12, 12, .55}}}},
       &snow},
      // (image weight a, texture weight b) on the 0..255 scale.
      {{"", "frost", kImageNetC, "a img + b frost texture (procedural ice crystals)", false, true},
       {{{{1, .2}, {1, .3}, {.9, .4}, {.85, .4}, {.75, .45}}},
        {{{1, .3}, {.9, .4}, {.8, .45}, {.75, .5}, {.7, .55}}},
        {{{1, .4}, {.8, .6}, {.7, .7}, {.65, .7}, {.6, .75}}}},
       &frost},
      // (fog strength a, wibble decay d).
      {{"", "fog", kImageNetC, "x + a plasma fractal (decay d), rescaled to the clean maximum",
        false, true},
       {{{{.2, 3}, {.5, 3}, {.75, 2.5}, {1, 2}, {1.5, 1.75}}},
        {{{.4, 3}, {.7, 3}, {1, 2.5}, {1.5, 2}, {2, 1.75}}},
        {{{1.5, 2}, {2, 2}, {2.5, 1.7}, {2.5, 1.5}, {3, 1.4}}}},
       &fog},
      // (loc, scale, sigma, threshold, intensity, mode: 0 water, 1 mud).
      {{"", "spatter", kImageNetC, "water (turquoise, embossed rims) or mud (brown) splashes",
        false, false},
       {{{{.62, .1, .7, .7, .5, 0},
          {.65, .1, .8, .7, .5, 0},
          {.65, .3, 1, .69, .5, 0},
          {.65, .1, .7, .69, .6, 1},
          {.65, .1, .5, .68, .6, 1}}},
        {{{.62, .1, .7, .7, .6, 0},
          {.65, .1, .8, .7, .6, 0},
          {.65, .3, 1, .69, .6, 0},
          {.65, .1, .7, .68, .6, 1},
          {.65, .1, .5, .67, .6, 1}}},
        {{{.65, .3, 4, .69, .6, 0},
          {.65, .3, 3, .68, .6, 0},
          {.65, .3, 2, .68, .5, 0},
          {.65, .3, 1, .65, 1.5, 1},
          {.67, .4, 1, .65, 1.5, 1}}}},
       &spatter},
  };
}

}  // namespace gauntlet::corruptions
