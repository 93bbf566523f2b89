// Internal: building blocks several corruption families share. Float images are CV_32FC(C) on
// the [0,1] scale of the references (x = img / 255); uint8 images are HxWxC, C = 1 or 3, RGB order.
#pragma once

#include <opencv2/core.hpp>

namespace gauntlet::corruptions {

// --- conversions (corruption_kernels.cpp) ---------------------------------------------------------
/// uint8 -> float / 255.
cv::Mat to_unit(const cv::Mat& u8);
/// float on [0,1] -> uint8 as the references store it: clip to [0,1], * 255, truncate.
void from_unit(const cv::Mat& unit, cv::Mat& u8);
/// uint8 -> CV_64F img / 255, divided as numpy does: img * (1 / 255.) would put 24 of the 256
/// levels one ulp low, and ops that truncate soon after would then land a level down. The ops that
/// match their reference exactly (blurs, HSV, blood) compute on these; to_unit's float is enough
/// for the others (noise, weather), whose bar is statistical.
cv::Mat to_unit64(const cv::Mat& u8);
/// CV_64F on [0,1] -> uint8: clip, * 255, truncate.
cv::Mat from_unit64(const cv::Mat& x);

// --- filters (kernels_filter.cpp) -----------------------------------------------------------------
/// scipy.ndimage.gaussian_filter / skimage.filters.gaussian on each channel of a float image:
/// sampled Gaussian, radius int(4 * sigma + 0.5), edge mode 'nearest' (replicate).
void gaussian_filter(const cv::Mat& src, cv::Mat& dst, double sigma);

/// The one-sided motion-blur kernel of imagecorruptions (`_motion_blur`): width 2 * ceil(radius) + 1,
/// weights exp(-i^2 / (2 sigma^2)) normalised, the image shifted by
/// (ceil(i cos t - .5), ceil(i sin t - .5)) for angle t (degrees), edges replicated, accumulated.
/// Works on float images (any channel count).
void motion_blur(const cv::Mat& src, cv::Mat& dst, double radius, double sigma, double angle_deg);

/// The defocus kernel of ImageNet-C: disk [X^2 + Y^2 <= r^2] on the grid -8..8 (r <= 8) or
/// -r..r, normalised, then blurred by a Gaussian of size 3 (r <= 8) or 5 and sigma `alias_blur`.
cv::Mat disk_kernel(double radius, double alias_blur);

// --- digital (kernels_digital.cpp) ----------------------------------------------------------------
/// JPEG encode at `quality` (libjpeg defaults: 4:2:0 for colour, islow DCT) and decode, as PIL's
/// `save(..., 'JPEG', quality=q)` followed by `open` does. uint8 in, uint8 out.
void jpeg_roundtrip(const cv::Mat& u8, cv::Mat& dst, int quality);

/// PIL's resize with the BOX filter to (width, height), uint8 in, uint8 out.
void resize_box(const cv::Mat& u8, cv::Mat& dst, int width, int height);

/// Pixelation as both families' references do it: BOX resize to (int(W f), int(H f)), at least
/// 1 x 1, and BOX back to W x H. The ImageNet-C script writes int(224 f) for its square images;
/// imagecorruptions and MedMNIST-C size each axis by itself, as here.
void pixelate_box(const cv::Mat& u8, cv::Mat& dst, double factor);

/// skimage.color.rgb2hsv / hsv2rgb on float RGB images; H, S, V all on [0,1].
void rgb_to_hsv(const cv::Mat& rgb, cv::Mat& hsv);
void hsv_to_rgb(const cv::Mat& hsv, cv::Mat& rgb);

}  // namespace gauntlet::corruptions
