#include "harness/synthetic_bloodcell.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

#include "harness/core/error.hpp"
#include "harness/core/parallel.hpp"
#include "harness/core/rng.hpp"

namespace gauntlet {
namespace {

enum class Nucleus { kRound, kBilobed, kMultilobed, kKidney, kHorseshoe, kNone };

// How one class looks, as fractions of the image side and RGB colours before the stain varies.
struct ClassLook {
  const char* name;
  double freq;        ///< BloodMNIST's share (counts of its 17,092 images)
  double cell_r;      ///< cell radius / side
  cv::Vec3f cyto;     ///< cytoplasm colour
  Nucleus nucleus;
  double nucleus_r;   ///< nucleus radius / cell radius
  cv::Vec3f nuc;      ///< nucleus colour
  double chromatin;   ///< texture contrast inside the nucleus
  cv::Vec3f granule;  ///< granule colour
  int granules;       ///< how many
  double granule_r;   ///< granule radius / side
};

const ClassLook kLooks[8] = {
    {"basophil", 1218, 0.21, {188, 168, 204}, Nucleus::kBilobed, 0.62, {96, 62, 130}, 0.25, {72, 38, 104}, 70, 0.018},
    {"eosinophil", 3117, 0.23, {232, 192, 176}, Nucleus::kBilobed, 0.55, {112, 72, 142}, 0.2, {222, 116, 86}, 90, 0.016},
    {"erythroblast", 1551, 0.16, {178, 166, 202}, Nucleus::kRound, 0.72, {64, 38, 90}, 0.12, {0, 0, 0}, 0, 0.0},
    {"immature granulocyte", 2895, 0.25, {202, 178, 206}, Nucleus::kKidney, 0.66, {122, 88, 160}, 0.3, {184, 126, 166}, 25, 0.013},
    {"lymphocyte", 1214, 0.165, {172, 190, 224}, Nucleus::kRound, 0.82, {78, 48, 118}, 0.22, {0, 0, 0}, 0, 0.0},
    {"monocyte", 1420, 0.27, {196, 186, 212}, Nucleus::kHorseshoe, 0.68, {128, 98, 166}, 0.35, {0, 0, 0}, 0, 0.0},
    {"neutrophil", 3329, 0.22, {228, 204, 212}, Nucleus::kMultilobed, 0.5, {104, 64, 142}, 0.22, {206, 166, 188}, 30, 0.011},
    {"platelet", 2348, 0.0, {0, 0, 0}, Nucleus::kNone, 0.0, {118, 80, 160}, 0.3, {92, 56, 130}, 0, 0.0},
};

// Atypical cells, as smears have them (band neutrophils, reactive lymphocytes, folded monocytes):
// with probability kAtypical a cell takes this nucleus shape instead of its class's, so that the
// classes overlap the way they do in real data and a small CNN does not reach 100%.
constexpr double kAtypical = 0.2;
const Nucleus kAtypicalShape[8] = {Nucleus::kRound,  Nucleus::kMultilobed, Nucleus::kKidney, Nucleus::kHorseshoe,
                                   Nucleus::kKidney, Nucleus::kKidney,     Nucleus::kKidney, Nucleus::kNone};

// Key parts that keep the streams of one image apart.
enum Stream : uint64_t { kClassDraw = 1, kDraw = 2, kRoles = 3, kCopy = 4, kOutlier = 5 };

using Image = cv::Mat3f;  // RGB, 0..255

// img <- img * (1 - a*mask) + colour * a*mask, mask in [0,1].
void blend(Image& img, const cv::Mat1f& mask, const cv::Vec3f& colour, float opacity = 1.0f) {
  for (int y = 0; y < img.rows; ++y) {
    cv::Vec3f* p = img.ptr<cv::Vec3f>(y);
    const float* m = mask.ptr<float>(y);
    for (int x = 0; x < img.cols; ++x) {
      const float a = m[x] * opacity;
      if (a > 0.0f) p[x] = p[x] * (1.0f - a) + colour * a;
    }
  }
}

// A soft-edged mask of an irregular blob: radius r(t) = r * (1 + sum_k a_k cos(k t + phi_k)).
void blob(cv::Mat1f& mask, cv::Point2d c, double rx, double ry, double angle, double wobble, Rng& rng) {
  double amp[4], phase[4];
  for (int k = 0; k < 4; ++k) {
    amp[k] = wobble * rng.uniform(-1, 1) / (k + 1);
    phase[k] = rng.uniform(0, 2 * M_PI);
  }
  std::vector<cv::Point> pts;
  const double ca = std::cos(angle), sa = std::sin(angle);
  for (int i = 0; i < 36; ++i) {
    const double t = 2 * M_PI * i / 36;
    double f = 1;
    for (int k = 0; k < 4; ++k) f += amp[k] * std::cos((k + 2) * t + phase[k]);
    const double x = rx * f * std::cos(t), y = ry * f * std::sin(t);
    pts.emplace_back(cvRound((c.x + x * ca - y * sa) * 16), cvRound((c.y + x * sa + y * ca) * 16));
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(1.0), cv::LINE_AA, 4);
}

void disc(cv::Mat1f& mask, cv::Point2d c, double r, double value = 1.0) {
  cv::circle(mask, cv::Point(cvRound(c.x * 16), cvRound(c.y * 16)), std::max(1, cvRound(r * 16)),
             cv::Scalar(value), cv::FILLED, cv::LINE_AA, 4);
}

// Low-frequency noise in about [-1, 1]: a coarse normal grid upsampled.
cv::Mat1f texture(int side, int cells, Rng& rng) {
  cv::Mat1f coarse(cells, cells);
  for (int y = 0; y < cells; ++y) {
    for (int x = 0; x < cells; ++x) coarse(y, x) = static_cast<float>(rng.normal() * 0.5);
  }
  cv::Mat1f out;
  cv::resize(coarse, out, cv::Size(side, side), 0, 0, cv::INTER_CUBIC);
  return out;
}

// The nucleus mask of one shape, centred at c with radius r, rotated by `angle`.
void nucleus_mask(cv::Mat1f& m, Nucleus kind, cv::Point2d c, double r, double angle, Rng& rng) {
  const cv::Point2d u(std::cos(angle), std::sin(angle)), v(-u.y, u.x);
  switch (kind) {
    case Nucleus::kRound:
      blob(m, c, r, r * rng.uniform(0.85, 1.0), angle, 0.05, rng);
      break;
    case Nucleus::kBilobed: {
      const double d = r * rng.uniform(0.45, 0.6), lr = r * rng.uniform(0.55, 0.65);
      blob(m, c + u * d, lr, lr * 0.9, angle, 0.06, rng);
      blob(m, c - u * d, lr, lr * 0.9, angle, 0.06, rng);
      cv::line(m, cv::Point(cvRound((c.x + u.x * d) * 16), cvRound((c.y + u.y * d) * 16)),
               cv::Point(cvRound((c.x - u.x * d) * 16), cvRound((c.y - u.y * d) * 16)), cv::Scalar(1.0),
               std::max(1, cvRound(lr * 0.5)), cv::LINE_AA, 4);
      break;
    }
    case Nucleus::kMultilobed: {
      const int lobes = 3 + static_cast<int>(rng.below(3));
      const double lr = r * rng.uniform(0.36, 0.44), arc = rng.uniform(1.6, 2.6);
      cv::Point2d prev;
      for (int i = 0; i < lobes; ++i) {
        const double t = -arc / 2 + arc * i / (lobes - 1);
        const cv::Point2d p = c + (u * std::cos(t) + v * std::sin(t)) * (r * 0.75) - u * (r * 0.35);
        blob(m, p, lr, lr * 0.85, angle + t, 0.08, rng);
        if (i > 0) {
          cv::line(m, cv::Point(cvRound(prev.x * 16), cvRound(prev.y * 16)),
                   cv::Point(cvRound(p.x * 16), cvRound(p.y * 16)), cv::Scalar(1.0),
                   std::max(1, cvRound(lr * 0.35)), cv::LINE_AA, 4);
        }
        prev = p;
      }
      break;
    }
    case Nucleus::kKidney:
      blob(m, c, r, r * 0.8, angle, 0.05, rng);
      disc(m, c + u * (r * rng.uniform(0.95, 1.15)), r * rng.uniform(0.4, 0.55), 0.0);
      break;
    case Nucleus::kHorseshoe: {
      const double span = rng.uniform(200, 280);
      const double a0 = angle * 180 / M_PI;
      cv::ellipse(m, cv::Point(cvRound(c.x * 16), cvRound(c.y * 16)),
                  cv::Size(cvRound(r * 0.7 * 16), cvRound(r * 0.6 * 16)), a0, 180 - span / 2,
                  180 + span / 2, cv::Scalar(1.0), std::max(1, cvRound(r * 0.55)), cv::LINE_AA, 4);
      break;
    }
    case Nucleus::kNone:
      break;
  }
}

cv::Vec3f jitter(const cv::Vec3f& c, double amount, Rng& rng) {
  cv::Vec3f out;
  for (int k = 0; k < 3; ++k) out[k] = static_cast<float>(std::clamp(c[k] + rng.normal() * amount, 0.0, 255.0));
  return out;
}

// Stain strength: darker (s > 1) or paler (s < 1) relative to white.
cv::Vec3f stained(const cv::Vec3f& c, double s) {
  cv::Vec3f out;
  for (int k = 0; k < 3; ++k) out[k] = static_cast<float>(std::clamp(255.0 - (255.0 - c[k]) * s, 0.0, 255.0));
  return out;
}

void draw_cell(Image& img, int label, Rng& rng) {
  const int S = img.rows;
  const ClassLook& L = kLooks[label];
  const double hema = rng.uniform(0.8, 1.2), eosin = rng.uniform(0.75, 1.25);
  const double scale = rng.uniform(0.85, 1.15) * S;
  const double angle = rng.uniform(0, 2 * M_PI);
  const cv::Point2d c(S / 2.0 + rng.normal() * 0.04 * S, S / 2.0 + rng.normal() * 0.04 * S);

  img.setTo(stained(jitter({236, 222, 228}, 5, rng), eosin));
  // Red cells, some under the central cell.
  const int reds = 5 + static_cast<int>(rng.below(9));
  const cv::Vec3f red = stained(jitter({224, 158, 166}, 8, rng), eosin);
  cv::Mat1f reds_mask = cv::Mat1f::zeros(S, S), pallor = cv::Mat1f::zeros(S, S);
  for (int i = 0; i < reds; ++i) {
    const cv::Point2d p(rng.uniform(-0.1, 1.1) * S, rng.uniform(-0.1, 1.1) * S);
    const double r = rng.uniform(0.1, 0.135) * scale;
    blob(reds_mask, p, r, r * rng.uniform(0.85, 1.0), rng.uniform(0, M_PI), 0.04, rng);
    disc(pallor, p, r * 0.45);
  }
  cv::GaussianBlur(pallor, pallor, cv::Size(0, 0), 0.03 * S + 0.5);
  blend(img, reds_mask, red, 0.9f);
  blend(img, pallor.mul(reds_mask), stained({238, 206, 208}, eosin), 0.6f);

  const cv::Mat1f tex = texture(S, 12, rng);
  if (L.nucleus == Nucleus::kNone) {  // platelets: a few small granular fragments
    const int pieces = 1 + static_cast<int>(rng.below(4));
    cv::Mat1f m = cv::Mat1f::zeros(S, S);
    for (int i = 0; i < pieces; ++i) {
      const cv::Point2d p = c + cv::Point2d(rng.normal(), rng.normal()) * (0.06 * scale);
      const double r = rng.uniform(0.03, 0.06) * scale;
      blob(m, p, r, r * rng.uniform(0.6, 1.0), rng.uniform(0, M_PI), 0.15, rng);
    }
    blend(img, m, stained(jitter({178, 150, 200}, 8, rng), hema), 0.85f);
    cv::Mat1f dots = cv::Mat1f::zeros(S, S);
    for (int i = 0; i < 12 * pieces; ++i) {
      disc(dots, c + cv::Point2d(rng.normal(), rng.normal()) * (0.06 * scale), 0.01 * scale);
    }
    dots = dots.mul(m);
    blend(img, dots, stained(jitter(L.granule, 10, rng), hema), 0.8f);
    return;
  }
  const double R = L.cell_r * scale * rng.uniform(0.82, 1.18);
  cv::Mat1f cell = cv::Mat1f::zeros(S, S);
  blob(cell, c, R, R * rng.uniform(0.85, 1.0), angle, 0.06, rng);
  cv::GaussianBlur(cell, cell, cv::Size(0, 0), 0.6);
  blend(img, cell, stained(jitter(L.cyto, 14, rng), eosin), 0.95f);
  if (label == 5) {  // monocyte vacuoles
    cv::Mat1f vac = cv::Mat1f::zeros(S, S);
    for (int i = 0, k = static_cast<int>(rng.below(6)); i < k; ++i) {
      disc(vac, c + cv::Point2d(rng.normal(), rng.normal()) * (0.45 * R), rng.uniform(0.04, 0.08) * R);
    }
    blend(img, vac.mul(cell), {236, 230, 238}, 0.7f);
  }

  cv::Mat1f nuc = cv::Mat1f::zeros(S, S);
  const Nucleus shape = rng.bernoulli(kAtypical) ? kAtypicalShape[label] : L.nucleus;
  nucleus_mask(nuc, shape, c + cv::Point2d(rng.normal(), rng.normal()) * (0.08 * R),
               R * L.nucleus_r * rng.uniform(0.9, 1.1), angle + rng.uniform(-0.4, 0.4), rng);
  cv::GaussianBlur(nuc, nuc, cv::Size(0, 0), 0.7);
  const cv::Vec3f nc = stained(jitter(L.nuc, 14, rng), hema);
  Image shade(S, S);
  for (int y = 0; y < S; ++y) {
    for (int x = 0; x < S; ++x) shade(y, x) = nc * static_cast<float>(1.0 + L.chromatin * tex(y, x));
  }
  for (int y = 0; y < S; ++y) {  // nucleus with its chromatin texture
    for (int x = 0; x < S; ++x) {
      const float a = nuc(y, x) * 0.95f;
      img(y, x) = img(y, x) * (1 - a) + shade(y, x) * a;
    }
  }
  if (L.granules > 0) {
    cv::Mat1f g = cv::Mat1f::zeros(S, S);
    const int count = static_cast<int>(L.granules * rng.uniform(0.4, 1.4));
    for (int i = 0; i < count; ++i) {
      const double t = rng.uniform(0, 2 * M_PI), rr = std::sqrt(rng.uniform()) * R * 0.95;
      disc(g, c + cv::Point2d(std::cos(t), std::sin(t)) * rr, L.granule_r * scale * rng.uniform(0.7, 1.3));
    }
    blend(img, g.mul(cell), stained(jitter(L.granule, 10, rng), label == 1 ? eosin : hema), 0.75f);
  }
  if (rng.bernoulli(0.3)) {  // a red cell lying over the edge of the central one
    const double t = rng.uniform(0, 2 * M_PI), r = rng.uniform(0.1, 0.135) * scale;
    cv::Mat1f m = cv::Mat1f::zeros(S, S);
    blob(m, c + cv::Point2d(std::cos(t), std::sin(t)) * (R + r * 0.5), r, r * 0.9, t, 0.04, rng);
    blend(img, m, red, 0.85f);
  }
}

// Illumination gradient, channel gains, blur and sensor noise: the microscope and camera.
void finish(const Image& img, uint8_t* out, Rng& rng) {
  const int S = img.rows;
  const double gx = rng.uniform(-0.12, 0.12), gy = rng.uniform(-0.12, 0.12), bright = rng.uniform(0.88, 1.08);
  const cv::Vec3d gain(rng.uniform(0.93, 1.07), rng.uniform(0.93, 1.07), rng.uniform(0.93, 1.07));
  Image blurred;
  cv::GaussianBlur(img, blurred, cv::Size(0, 0), rng.uniform(0.3, 1.1));
  // Sensor noise: the sum of four uniform bytes, scaled to unit variance (close enough to normal,
  // and a quarter of the cost of Box-Muller per pixel).
  const double noise = rng.uniform(1.5, 6.0) / 147.8;
  for (int y = 0; y < S; ++y) {
    for (int x = 0; x < S; ++x) {
      const double light = bright * (1 + gx * (x - S / 2.0) / S + gy * (y - S / 2.0) / S);
      for (int k = 0; k < 3; ++k) {
        const uint32_t u = rng.next_u32();
        const int bytes = static_cast<int>((u & 255) + ((u >> 8) & 255) + ((u >> 16) & 255) + (u >> 24)) - 510;
        const double v = blurred(y, x)[k] * light * gain[k] + bytes * noise;
        out[(y * S + x) * 3 + k] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
}

// A flat saturated colour; the small jitter keeps two drawings from being pixel-identical by chance.
cv::Scalar vivid(Rng& rng) {
  static const cv::Scalar kPalette[] = {{230, 30, 30}, {30, 200, 40}, {30, 80, 230}, {250, 220, 20},
                                        {250, 120, 0}, {200, 30, 200}, {20, 210, 220}, {245, 245, 245}};
  const cv::Scalar c = kPalette[rng.below(8)];
  return {c[0] + rng.uniform(-10, 10), c[1] + rng.uniform(-10, 10), c[2] + rng.uniform(-10, 10)};
}

// Cartoons: flat saturated shapes with thick black outlines (a face, like the seeds' ogre).
void draw_cartoon(cv::Mat3b& img, Rng& rng) {
  const int S = img.rows, t = std::max(2, S / 24);
  img.setTo(vivid(rng));
  const cv::Point c(S / 2 + static_cast<int>(rng.below(S / 6)) - S / 12, S / 2 + static_cast<int>(rng.below(S / 6)) - S / 12);
  const int r = S * (30 + static_cast<int>(rng.below(12))) / 100;
  const cv::Scalar face = vivid(rng), black(0, 0, 0);
  for (int side : {-1, 1}) {  // ears
    const cv::Point e(c.x + side * r, c.y - r / 3);
    cv::circle(img, e, r / 3, face, cv::FILLED, cv::LINE_AA);
    cv::circle(img, e, r / 3, black, t, cv::LINE_AA);
  }
  cv::circle(img, c, r, face, cv::FILLED, cv::LINE_AA);
  cv::circle(img, c, r, black, t, cv::LINE_AA);
  for (int side : {-1, 1}) {  // eyes
    const cv::Point e(c.x + side * r * 2 / 5, c.y - r / 4);
    cv::circle(img, e, r / 5, cv::Scalar(255, 255, 255), cv::FILLED, cv::LINE_AA);
    cv::circle(img, e, r / 5, black, std::max(1, t / 2), cv::LINE_AA);
    cv::circle(img, e, r / 12 + 1, black, cv::FILLED, cv::LINE_AA);
  }
  cv::ellipse(img, cv::Point(c.x, c.y + r / 3), cv::Size(r / 2, r / 4), 0, 0, 180, black, t, cv::LINE_AA);
}

// Text/meme stills: big outlined words on a plain background.
void draw_meme(cv::Mat3b& img, Rng& rng) {
  static const char* kWords[] = {"LOL", "WOW", "NOPE", "OK", "MEME", "YES", "WHY", "OMG", "HI", "NO"};
  const int S = img.rows;
  const int shade = static_cast<int>(rng.below(3));
  const double grey = shade == 0 ? rng.uniform(225, 255) : rng.uniform(0, 40);
  img.setTo(shade == 2 ? vivid(rng) : cv::Scalar(grey, grey, grey));
  for (int line = 0; line < 2; ++line) {
    const std::string word = kWords[rng.below(10)];
    const double fs = S / 40.0;
    const int th = std::max(2, S / 20);
    int base = 0;
    const cv::Size sz = cv::getTextSize(word, cv::FONT_HERSHEY_DUPLEX, fs, th, &base);
    const double fit = std::min(1.0, 0.9 * S / std::max(1, sz.width));
    const cv::Size fsz(static_cast<int>(sz.width * fit), static_cast<int>(sz.height * fit));
    const int dx = static_cast<int>(rng.below(S / 10 + 1)) - S / 20, dy = static_cast<int>(rng.below(S / 10 + 1));
    const cv::Point org((S - fsz.width) / 2 + dx, line == 0 ? fsz.height + S / 20 + dy : S - S / 20 - dy);
    cv::putText(img, word, org, cv::FONT_HERSHEY_DUPLEX, fs * fit, cv::Scalar(0, 0, 0), th + 2, cv::LINE_AA);
    cv::putText(img, word, org, cv::FONT_HERSHEY_DUPLEX, fs * fit, cv::Scalar(255, 255, 255), th, cv::LINE_AA);
  }
}

int draw_class(double u) {
  double total = 0;
  for (const auto& l : kLooks) total += l.freq;
  double acc = 0;
  for (int k = 0; k < 8; ++k) {
    acc += kLooks[k].freq / total;
    if (u < acc) return k;
  }
  return 7;
}

}  // namespace

const std::vector<std::string>& bloodcell_classes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& l : kLooks) v.push_back(l.name);
    return v;
  }();
  return names;
}

Dataset generate_bloodcell(const BloodcellOptions& o, BloodcellTruth* truth) {
  if (o.n < 1 || o.n > 10000000) throw InputError("synthetic:bloodcell", "n must be in 1..10000000");
  if (o.size < 16 || o.size > 512) throw InputError("synthetic:bloodcell", "size must be in 16..512");
  if (o.outliers < 0 || o.duplicates < 0 || o.conflicts < 0 ||
      2 * (o.outliers + 2 * o.duplicates + 2 * o.conflicts) > o.n) {
    throw InputError("synthetic:bloodcell",
                     "outliers + 2 * (duplicates + conflicts) must be at most half of n (copies need "
                     "distinct clean originals)");
  }
  Dataset d;
  d.n = o.n;
  d.height = d.width = o.size;
  d.channels = 3;
  d.class_names = bloodcell_classes();
  d.images.resize(static_cast<size_t>(d.n) * d.image_bytes());
  d.labels.resize(d.n);

  // Roles: a seeded shuffle puts the dirt at random indices.
  enum Role : uint8_t { kClean, kOutlierRole, kDuplicate, kConflict };
  std::vector<uint8_t> role(d.n, kClean);
  std::fill(role.begin(), role.begin() + o.outliers, kOutlierRole);
  std::fill(role.begin() + o.outliers, role.begin() + o.outliers + o.duplicates, kDuplicate);
  std::fill(role.begin() + o.outliers + o.duplicates, role.begin() + o.outliers + o.duplicates + o.conflicts,
            kConflict);
  Rng shuffle({o.seed, kRoles});
  for (int64_t i = d.n - 1; i > 0; --i) std::swap(role[i], role[shuffle.below(i + 1)]);

  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int S = static_cast<int>(o.size);
  parallel_chunks(d.n, threads, [&](int64_t begin, int64_t end) {
    Image canvas(S, S);
    for (int64_t i = begin; i < end; ++i) {
      Rng cls({o.seed, static_cast<uint64_t>(i), kClassDraw});
      d.labels[i] = draw_class(cls.uniform());
      if (role[i] == kClean) {
        Rng rng({o.seed, static_cast<uint64_t>(i), kDraw});
        draw_cell(canvas, static_cast<int>(d.labels[i]), rng);
        finish(canvas, d.image(i), rng);
      } else if (role[i] == kOutlierRole) {
        Rng rng({o.seed, static_cast<uint64_t>(i), kOutlier});
        cv::Mat3b img(S, S, reinterpret_cast<cv::Vec3b*>(d.image(i)));
        if (rng.bernoulli(0.5)) draw_cartoon(img, rng); else draw_meme(img, rng);
      }
    }
  });

  // Copies: originals drawn without replacement from the clean images.
  std::vector<int64_t> clean;
  for (int64_t i = 0; i < d.n; ++i) {
    if (role[i] == kClean) clean.push_back(i);
  }
  Rng pick({o.seed, kCopy});
  size_t taken = 0;
  BloodcellTruth t;
  for (int64_t i = 0; i < d.n; ++i) {
    if (role[i] == kOutlierRole) t.outliers.push_back(i);
    if (role[i] != kDuplicate && role[i] != kConflict) continue;
    const size_t j = taken + static_cast<size_t>(pick.below(clean.size() - taken));
    std::swap(clean[taken], clean[j]);
    const int64_t orig = clean[taken++];
    std::memcpy(d.image(i), d.image(orig), d.image_bytes());
    if (role[i] == kDuplicate) {
      d.labels[i] = d.labels[orig];
      t.duplicates.emplace_back(std::min(orig, i), std::max(orig, i));
    } else {
      d.labels[i] = (d.labels[orig] + 1 + static_cast<int64_t>(pick.below(7))) % 8;
      t.conflicts.emplace_back(std::min(orig, i), std::max(orig, i));
    }
  }
  std::sort(t.duplicates.begin(), t.duplicates.end());
  std::sort(t.conflicts.begin(), t.conflicts.end());
  if (truth != nullptr) *truth = std::move(t);
  d.source = "synthetic:bloodcell";
  return d;
}

}  // namespace gauntlet
