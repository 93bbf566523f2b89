// Unit tests of harness/robustness: mean corruption accuracy and gap, per-corruption and
// per-family means, CE / relative CE / mCE against a baseline whose seeds are averaged, the
// balanced-error measure, nulls where a CE cannot be formed, and ImageNet-C's AlexNet-normalised
// mCE as a sanity check. Every expected number is computed here from the inputs by hand.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "harness/robustness.hpp"

namespace gauntlet {
namespace {

using nlohmann::json;

// One hold-out's metrics as result.json writes them (the fields robustness_scores reads).
json metrics(double accuracy, double balanced_accuracy = -1, double f1 = -1) {
  if (balanced_accuracy < 0) balanced_accuracy = accuracy;
  if (f1 < 0) f1 = accuracy;
  return {
      {"accuracy", accuracy},
      {"balanced_accuracy", balanced_accuracy},
      {"macro", {{"f1", f1}}},
      {"per_class", json::array({{{"recall", accuracy + 0.05}}, {{"recall", accuracy - 0.05}}})}};
}

json info(const std::string& corruption, const std::string& family, int severity) {
  return {{"corruption", corruption}, {"family", family}, {"severity", severity}};
}

std::string hid(const std::string& corruption, int severity) {
  return "c." + corruption + "." + std::to_string(severity);
}

// Accuracies by corruption and severity 1, 2.
using Table = std::map<std::string, std::vector<double>>;

// gaussian_noise and contrast count in ImageNet-C's mCE; speckle_noise is an extra.
const std::vector<std::string> kCorruptions = {"gaussian_noise", "contrast", "speckle_noise"};

json holdouts_for(const std::vector<std::string>& corruptions, int severities,
                  const std::string& family = "imagenet-c") {
  json h = json::object();
  for (const auto& c : corruptions) {
    for (int s = 1; s <= severities; ++s) h[hid(c, s)] = info(c, family, s);
  }
  return h;
}

json eval_of(double clean, const Table& t) {
  json e{{"clean", metrics(clean)}};
  for (const auto& [c, accs] : t) {
    for (size_t s = 0; s < accs.size(); ++s) e[hid(c, static_cast<int>(s) + 1)] = metrics(accs[s]);
  }
  return e;
}

// The model and a baseline with two seeds.
const Table kModel = {
    {"gaussian_noise", {0.8, 0.6}}, {"contrast", {0.7, 0.5}}, {"speckle_noise", {0.85, 0.75}}};
const Table kBaseA = {
    {"gaussian_noise", {0.6, 0.4}}, {"contrast", {0.5, 0.3}}, {"speckle_noise", {0.7, 0.5}}};
const Table kBaseB = {
    {"gaussian_noise", {0.5, 0.3}}, {"contrast", {0.4, 0.2}}, {"speckle_noise", {0.6, 0.4}}};

TEST_CASE("mean corruption accuracy, gap and per-corruption means", "[robustness]") {
  json eval = eval_of(0.9, kModel);
  eval["p.hidden-like"] = metrics(0.3);  // other hold-outs do not enter the corruption means
  eval["x.real"] = metrics(0.2);
  const json r = robustness_scores(eval, holdouts_for(kCorruptions, 2), {}, "error");
  const double mean = (0.8 + 0.6 + 0.7 + 0.5 + 0.85 + 0.75) / 6;
  CHECK(r.at("mean_corruption_accuracy").get<double>() == Approx(mean));
  CHECK(r.at("gap").get<double>() == Approx(0.9 - mean));
  const json& g = r.at("per_corruption").at("gaussian_noise");
  CHECK(g.at("family") == "imagenet-c");
  CHECK(g.at("mean_accuracy").get<double>() == Approx((0.8 + 0.6) / 2));
  CHECK(g.at("mean_macro_f1").get<double>() == Approx((0.8 + 0.6) / 2));
  CHECK(g.at("accuracy_by_severity").at("1").get<double>() == Approx(0.8));
  CHECK(g.at("accuracy_by_severity").at("2").get<double>() == Approx(0.6));
  CHECK(r.at("per_corruption").at("speckle_noise").at("mean_accuracy").get<double>() ==
        Approx(0.8));
  CHECK(r.at("per_corruption").size() == 3);
  // Per-class accuracy under every hold-out, profiles and external ones included.
  CHECK(r.at("class_accuracy").at("p.hidden-like") == json::array({0.3 + 0.05, 0.3 - 0.05}));
  CHECK(r.at("class_accuracy").at("c.contrast.2").size() == 2);
  CHECK(r.at("class_accuracy").size() == eval.size());
  // No baseline: no CE anywhere.
  CHECK(r.at("baseline").is_null());
  CHECK(r.at("mce").is_null());
  CHECK(r.at("relative_mce").is_null());
  CHECK(r.at("measure") == "error");
  CHECK_FALSE(g.contains("ce"));
}

TEST_CASE("no corruption hold-outs: null means and gap", "[robustness]") {
  const json eval{{"clean", metrics(0.9)}, {"p.mix", metrics(0.5)}};
  const json r = robustness_scores(eval, json::object(), {eval}, "error", "a/b/c/d");
  CHECK(r.at("mean_corruption_accuracy").is_null());
  CHECK(r.at("gap").is_null());
  CHECK(r.at("per_corruption").empty());
  CHECK(r.at("mce").is_null());
  CHECK(r.at("baseline") == "a/b/c/d");
}

TEST_CASE("CE and relative CE against a two-seed baseline, mCE counting only mCE corruptions",
          "[robustness]") {
  const json eval = eval_of(0.9, kModel);
  const std::vector<json> base = {eval_of(0.8, kBaseA), eval_of(0.7, kBaseB)};
  const json r =
      robustness_scores(eval, holdouts_for(kCorruptions, 2), base, "error", "cnn/none/ce/sgd");
  CHECK(r.at("baseline") == "cnn/none/ce/sgd");
  const double base_clean_err = 1 - (0.8 + 0.7) / 2, clean_err = 1 - 0.9;
  std::map<std::string, double> ce, rce;
  for (const auto& c : kCorruptions) {
    double num = 0, den = 0, rnum = 0, rden = 0;
    for (int s = 0; s < 2; ++s) {
      const double e = 1 - kModel.at(c)[s];
      const double b = 1 - (kBaseA.at(c)[s] + kBaseB.at(c)[s]) / 2;
      num += e;
      den += b;
      rnum += e - clean_err;
      rden += b - base_clean_err;
    }
    ce[c] = num / den;
    rce[c] = rnum / rden;
    INFO(c);
    CHECK(r.at("per_corruption").at(c).at("ce").get<double>() == Approx(ce[c]));
    CHECK(r.at("per_corruption").at(c).at("relative_ce").get<double>() == Approx(rce[c]));
  }
  // Written out for gaussian_noise: errors .2 + .4 over mean baseline errors .45 + .65.
  CHECK(ce["gaussian_noise"] == Approx(0.6 / 1.1));
  CHECK(rce["gaussian_noise"] == Approx((0.1 + 0.3) / (0.2 + 0.4)));
  // speckle_noise has a CE but no vote in the mCE.
  CHECK(r.at("mce").get<double>() == Approx((ce["gaussian_noise"] + ce["contrast"]) / 2));
  CHECK(r.at("relative_mce").get<double>() ==
        Approx((rce["gaussian_noise"] + rce["contrast"]) / 2));
  const json& fam = r.at("per_family").at("imagenet-c");
  CHECK(fam.at("mce").get<double>() == Approx(r.at("mce").get<double>()));
  CHECK(fam.at("relative_mce").get<double>() == Approx(r.at("relative_mce").get<double>()));
  CHECK(fam.at("corruptions") == 3);
  CHECK(fam.at("mean_accuracy").get<double>() == Approx((0.7 + 0.6 + 0.8) / 3));
}

TEST_CASE("the balanced_error measure uses 1 - balanced accuracy", "[robustness]") {
  // Accuracy says one thing, balanced accuracy another: the CE must follow balanced accuracy.
  const json holdouts = holdouts_for({"contrast"}, 2);
  const json eval{{"clean", metrics(0.9, 0.8)},
                  {"c.contrast.1", metrics(0.9, 0.7)},
                  {"c.contrast.2", metrics(0.9, 0.5)}};
  const json base{{"clean", metrics(0.5, 0.9)},
                  {"c.contrast.1", metrics(0.5, 0.6)},
                  {"c.contrast.2", metrics(0.5, 0.4)}};
  const json r = robustness_scores(eval, holdouts, {base}, "balanced_error");
  CHECK(r.at("measure") == "balanced_error");
  const json& c = r.at("per_corruption").at("contrast");
  CHECK(c.at("ce").get<double>() == Approx((0.3 + 0.5) / (0.4 + 0.6)));
  CHECK(c.at("relative_ce").get<double>() == Approx((0.1 + 0.3) / (0.3 + 0.5)));
  CHECK(r.at("mce").get<double>() == Approx(0.8));
  // Accuracies (not balanced) still give the mean corruption accuracy.
  CHECK(r.at("mean_corruption_accuracy").get<double>() == Approx(0.9));
  // With the top-1 error the same inputs give a different CE.
  const json top1 = robustness_scores(eval, holdouts, {base}, "error");
  CHECK(top1.at("per_corruption").at("contrast").at("ce").get<double>() == Approx(0.2 / 1.0));
}

TEST_CASE("a CE is null when the baseline's error sum is 0 or it lacks a hold-out",
          "[robustness]") {
  const json holdouts = holdouts_for(kCorruptions, 2);
  const json eval = eval_of(0.9, kModel);
  Table perfect = kBaseA;
  perfect["contrast"] = {1.0, 1.0};
  json lacking = eval_of(0.8, kBaseA);
  lacking.erase("c.gaussian_noise.2");
  // Two seeds, one of which lacks c.gaussian_noise.2: that CE is null too.
  const json r = robustness_scores(eval, holdouts, {eval_of(0.8, perfect), lacking}, "error");
  const json& pc = r.at("per_corruption");
  CHECK(pc.at("gaussian_noise").at("ce").is_null());
  CHECK(pc.at("gaussian_noise").at("relative_ce").is_null());
  // contrast: the baseline's mean errors are (0 + .5) / 2 and (0 + .7) / 2, so not null here...
  CHECK(pc.at("contrast").at("ce").get<double>() == Approx((0.3 + 0.5) / (0.25 + 0.35)));
  // ...but with the perfect seed alone the denominator is 0.
  const json alone = robustness_scores(eval, holdouts, {eval_of(0.8, perfect)}, "error");
  CHECK(alone.at("per_corruption").at("contrast").at("ce").is_null());
  CHECK(alone.at("per_corruption").at("gaussian_noise").at("ce").get<double>() ==
        Approx((0.2 + 0.4) / (0.4 + 0.6)));
  // An mCE over fewer corruptions than were evaluated would not compare with other cells': null.
  CHECK(alone.at("mce").is_null());
  // (Its relative CE has a non-zero denominator, 0 - 0.2 per severity, so relative mCE stands.)
  CHECK_FALSE(alone.at("relative_mce").is_null());
  CHECK(alone.at("mce_corruptions") == 2);
  const json none =
      robustness_scores(eval_of(0.9, {{"contrast", {0.7, 0.5}}}), holdouts_for({"contrast"}, 2),
                        {eval_of(0.8, perfect)}, "error");
  CHECK(none.at("per_corruption").at("contrast").at("ce").is_null());
  CHECK(none.at("mce").is_null());
}

TEST_CASE("relative CE is null without a clean hold-out or with a zero denominator",
          "[robustness]") {
  const json holdouts = holdouts_for({"contrast"}, 1);
  json eval{{"c.contrast.1", metrics(0.6)}};
  const json base{{"clean", metrics(0.8)}, {"c.contrast.1", metrics(0.8)}};  // no drop at all
  json r = robustness_scores(eval, holdouts, {base}, "error");
  CHECK(r.at("per_corruption").at("contrast").at("ce").get<double>() == Approx(0.4 / 0.2));
  CHECK(r.at("per_corruption").at("contrast").at("relative_ce").is_null());
  CHECK(r.at("gap").is_null());  // no clean hold-out in the cell's eval
  eval["clean"] = metrics(0.9);
  r = robustness_scores(eval, holdouts, {base}, "error");
  CHECK(r.at("per_corruption").at("contrast").at("relative_ce").is_null());  // 0.3 / 0
  CHECK(r.at("relative_mce").is_null());
}

TEST_CASE("the baseline's own CEs and mCE are 1", "[robustness]") {
  const json base = eval_of(0.8, kBaseA);
  const json r = robustness_scores(base, holdouts_for(kCorruptions, 2), {base}, "error");
  for (const auto& c : kCorruptions) {
    CHECK(r.at("per_corruption").at(c).at("ce").get<double>() == Approx(1.0));
    CHECK(r.at("per_corruption").at(c).at("relative_ce").get<double>() == Approx(1.0));
  }
  CHECK(r.at("mce").get<double>() == Approx(1.0));
  CHECK(r.at("relative_mce").get<double>() == Approx(1.0));
}

TEST_CASE("per-family means keep ImageNet-C and MedMNIST-C apart", "[robustness]") {
  json holdouts = holdouts_for({"gaussian_noise", "contrast"}, 2);
  holdouts.update(
      holdouts_for({"bloodmnist-c.bubble", "bloodmnist-c.saturate"}, 2, "bloodmnist-c"));
  const Table model = {{"gaussian_noise", {0.8, 0.6}},
                       {"contrast", {0.7, 0.5}},
                       {"bloodmnist-c.bubble", {0.9, 0.7}},
                       {"bloodmnist-c.saturate", {0.95, 0.85}}};
  const Table base = {{"gaussian_noise", {0.6, 0.4}},
                      {"contrast", {0.5, 0.3}},
                      {"bloodmnist-c.bubble", {0.8, 0.6}},
                      {"bloodmnist-c.saturate", {0.9, 0.7}}};
  const json r = robustness_scores(eval_of(0.9, model), holdouts, {eval_of(0.8, base)}, "error");
  const json& fam = r.at("per_family");
  REQUIRE(fam.size() == 2);
  CHECK(fam.at("imagenet-c").at("mean_accuracy").get<double>() == Approx((0.7 + 0.6) / 2));
  CHECK(fam.at("imagenet-c").at("corruptions") == 2);
  CHECK(fam.at("bloodmnist-c").at("mean_accuracy").get<double>() == Approx((0.8 + 0.9) / 2));
  CHECK(fam.at("bloodmnist-c").at("corruptions") == 2);
  CHECK(r.at("per_corruption").at("bloodmnist-c.bubble").at("family") == "bloodmnist-c");
  const double ce_g = 0.6 / 1.0, ce_c = 0.8 / 1.2, ce_b = 0.4 / 0.6, ce_s = 0.2 / 0.4;
  CHECK(fam.at("imagenet-c").at("mce").get<double>() == Approx((ce_g + ce_c) / 2));
  CHECK(fam.at("bloodmnist-c").at("mce").get<double>() == Approx((ce_b + ce_s) / 2));
  // A mean over two families' CEs is no number the literature reports: per family only.
  CHECK(r.at("mce").is_null());
  CHECK(r.at("relative_mce").is_null());
}

TEST_CASE("ImageNet-C sanity: half of AlexNet's errors everywhere gives CE and mCE 0.5",
          "[robustness]") {
  // AlexNet's mean error per corruption (shared/specs/corruptions.md) and clean error 43.5%.
  const std::vector<std::pair<std::string, double>> alexnet = {{"gaussian_noise", .886428},
                                                               {"shot_noise", .894468},
                                                               {"impulse_noise", .922640},
                                                               {"defocus_blur", .819880},
                                                               {"glass_blur", .826268},
                                                               {"motion_blur", .785948},
                                                               {"zoom_blur", .798360},
                                                               {"snow", .866816},
                                                               {"frost", .826572},
                                                               {"fog", .819324},
                                                               {"brightness", .564592},
                                                               {"contrast", .853204},
                                                               {"elastic_transform", .646056},
                                                               {"pixelate", .717840},
                                                               {"jpeg_compression", .606500}};
  // Errors spread over the severities around the mean (mean factor 1), the model's half of them.
  const double spread[5] = {0.96, 0.98, 1.0, 1.02, 1.04};
  json holdouts = json::object(), base{{"clean", metrics(1 - 0.435)}},
       model{{"clean", metrics(1 - 0.435 / 2)}};
  for (const auto& [c, err] : alexnet) {
    for (int s = 1; s <= 5; ++s) {
      const double e = err * spread[s - 1];
      holdouts[hid(c, s)] = info(c, "imagenet-c", s);
      base[hid(c, s)] = metrics(1 - e);
      model[hid(c, s)] = metrics(1 - e / 2);
    }
  }
  const json r = robustness_scores(model, holdouts, {base}, "error", "alexnet");
  REQUIRE(r.at("per_corruption").size() == 15);
  for (const auto& [c, err] : alexnet) {
    INFO(c);
    CHECK(r.at("per_corruption").at(c).at("ce").get<double>() == Approx(0.5).epsilon(1e-9));
    CHECK(r.at("per_corruption").at(c).at("relative_ce").get<double>() ==
          Approx(0.5).epsilon(1e-9));
  }
  CHECK(r.at("mce").get<double>() == Approx(0.5).epsilon(1e-9));
  CHECK(r.at("relative_mce").get<double>() == Approx(0.5).epsilon(1e-9));
  CHECK(r.at("per_family").at("imagenet-c").at("mce").get<double>() == Approx(0.5).epsilon(1e-9));
}

}  // namespace
}  // namespace gauntlet
