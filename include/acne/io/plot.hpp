#pragma once
// PNG pictures drawn with OpenCV alone (no plotting library). Each kind has its own header under
// acne/io/plot/; include just the one you use to keep compile times down:
//   plot/line_plot.hpp          render_line_plot / save_line_plot: named series, axes, legend, markers;
//   plot/confusion_matrix.hpp   render_confusion_matrix / save_...: heat map with counts and row %;
//   plot/image_grid.hpp         make_image_grid / save_image_grid: images tiled with optional labels.
// Every save_* writes atomically through write_png (plot/png.hpp).
// Colours are OpenCV BGR. Text uses OpenCV's Hershey fonts, so it is limited to ASCII.
#include "acne/io/plot/confusion_matrix.hpp"
#include "acne/io/plot/image_grid.hpp"
#include "acne/io/plot/line_plot.hpp"
