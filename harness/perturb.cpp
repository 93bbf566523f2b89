#include "harness/perturb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "augmentations/corruption.hpp"
#include "augmentations/profile.hpp"
#include "harness/command_io.hpp"
#include "harness/core/error.hpp"
#include "harness/core/npy.hpp"
#include "harness/data_source.hpp"
#include "harness/suite.hpp"
#include "reports/image_grid.hpp"

namespace gauntlet {
namespace {

// "gaussian_noise,contrast", "imagenet-c" (its 15), "bloodmnist-c" (its 11), "all" -> ids.
std::vector<std::string> corruption_ids(const std::string& list, const std::string& family) {
  std::vector<std::string> out;
  auto add_family = [&](const std::string& f, bool mce_only) {
    for (const auto& c : corruption_infos()) {
      if ((f.empty() || c.family == f) && (!mce_only || c.in_mce)) out.push_back(c.id);
    }
  };
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    if (name == "all") {
      add_family("", false);
    } else if (name == kImageNetC || name == kBloodMnistC) {
      add_family(name, true);
    } else {
      try {
        out.push_back(corruption_id(name, family));
      } catch (const std::invalid_argument& e) {
        throw InputError("--corruption", e.what());
      }
    }
  }
  if (out.empty()) throw InputError("--corruption", "names no corruption");
  return out;
}

Profile find_profile(const std::string& ref) {
  if (auto builtin = builtin_profile(ref)) return *builtin;
  if (is_profile_path(ref)) return load_profile_file(ref);
  std::string names;
  for (const auto& p : builtin_profiles()) names += (names.empty() ? "" : ", ") + p.name;
  throw InputError("--profile", "unknown profile \"" + ref + "\" (built-in: " + names +
                                    "; or the path of a profile .json file)");
}

}  // namespace

void perturb(const PerturbOptions& o) {
  if (o.out.empty() && o.preview.empty()) throw InputError("perturb", "give --out FILE.npz, --preview FILE.png or both");
  if (o.profile.empty() == o.corruptions.empty()) {
    throw InputError("perturb", "give either --corruption or --profile");
  }
  if (!o.family.empty() && o.family != kImageNetC && o.family != kBloodMnistC) {
    throw InputError("--family", "expected imagenet-c or bloodmnist-c, got \"" + o.family + "\"");
  }
  Dataset d = load_dataset({o.data});
  if (o.index < 0 || o.index >= d.n) {
    throw InputError("--index", fmt::format("{} is outside 0..{} ({} has {} images)", o.index, d.n - 1, o.data, d.n));
  }
  const int h = static_cast<int>(d.height), w = static_cast<int>(d.width), c = static_cast<int>(d.channels);

  if (!o.profile.empty()) {
    const Profile p = find_profile(o.profile);
    const ProfileApplier applier(p);
    Dataset out = d;
    profile_images(applier, d.images.data(), out.images.data(), d.n, h, w, c,
                   holdout_key(o.seed, "p." + p.name), o.threads);
    if (!o.out.empty()) {
      write_output("--out", [&] { write_dataset_npz(o.out, out); });
      fmt::print("{}: {} images of {}, profile {} (hold-out p.{}, seed {})\n", o.out, d.n, o.data, p.name,
                 p.name, o.seed);
    }
    if (!o.preview.empty()) {
      // Rows: up to 8 images from --index on, each clean and then under the profile.
      std::vector<GridRow> rows;
      for (int64_t i = o.index; i < std::min<int64_t>(d.n, o.index + 8); ++i) {
        rows.push_back({fmt::format("#{}", i), {image_mat(d, i).clone(), image_mat(out, i).clone()}});
      }
      write_output("--preview", [&] { write_grid_png(o.preview, rows, {"clean", "p." + p.name}, o.cell_side); });
      fmt::print("{}: preview of profile {}\n", o.preview, p.name);
    }
    return;
  }

  const std::vector<std::string> ids = corruption_ids(o.corruptions, o.family);
  if (!o.out.empty()) {
    if (ids.size() != 1 || o.severity == 0) {
      throw InputError("--out", "writes one hold-out: give one corruption and one --severity");
    }
    Dataset out = d;
    const std::string holdout = corruption_holdout_id(ids[0], o.severity);
    corrupt_images(ids[0], o.severity, d.images.data(), out.images.data(), d.n, h, w, c,
                   holdout_key(o.seed, holdout), o.threads);
    write_output("--out", [&] { write_dataset_npz(o.out, out); });
    fmt::print("{}: {} images of {}, hold-out {} ({} table, seed {})\n", o.out, d.n, o.data, holdout,
               size_table_name(size_table_for(h, w)), o.seed);
  }
  if (!o.preview.empty()) {
    std::vector<int> severities;
    for (int s = 1; s <= 5; ++s) {
      if (o.severity == 0 || o.severity == s) severities.push_back(s);
    }
    std::vector<std::string> columns{"clean"};
    for (int s : severities) columns.push_back(fmt::format("severity {}", s));
    std::vector<GridRow> rows;
    const cv::Mat clean = image_mat(d, o.index);
    for (const auto& id : ids) {
      GridRow row{id, {clean.clone()}};
      for (int s : severities) {
        // The image as hold-out c.<id>.<s> of `run` holds it: Rng{key, index}.
        Rng rng{holdout_key(o.seed, corruption_holdout_id(id, s)), static_cast<uint64_t>(o.index)};
        cv::Mat img;
        apply_corruption(id, s, clean, img, size_table_for(h, w), rng);
        row.images.push_back(img);
      }
      rows.push_back(std::move(row));
    }
    write_output("--preview", [&] { write_grid_png(o.preview, rows, columns, o.cell_side); });
    fmt::print("{}: preview, {} corruption(s) x {} severities of image {} of {}\n", o.preview, ids.size(),
               severities.size(), o.index, o.data);
  }
}

}  // namespace gauntlet
