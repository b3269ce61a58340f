// throughput.svg and memory.svg: one panel per workload, the metric against parallelism (the
// cores a configuration asks for), one polyline per strategy with a legend; peers as dashed
// horizontal lines on the throughput panel of the thumbnail workload. Plain SVG 1.1 with no
// script or external style, so it shows the same in a browser, on GitHub and in an editor.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "bench.h"

namespace pixflow::cli::bench {
namespace {

constexpr int kPanelWidth = 480;
constexpr int kPanelHeight = 320;
constexpr int kHeader = 70;                                      // title and legend
constexpr int kLeft = 64, kRight = 16, kTop = 30, kBottom = 48;  // plot margins in a panel

struct Metric {
  const char* title;
  const char* axis;
  double (*value)(const Sample&);
};

Metric MetricNamed(const std::string& name) {
  if (name == "memory") {
    return {"Peak memory of all processes together", "peak RSS (MiB)",
            [](const Sample& s) { return s.peak_rss_mib; }};
  }
  return {"Throughput", "images/s", [](const Sample& s) { return s.images_per_s(); }};
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out.append("&lt;");
    else if (c == '>')
      out.append("&gt;");
    else if (c == '&')
      out.append("&amp;");
    else if (c == '"')
      out.append("&quot;");
    else
      out.push_back(c);
  }
  return out;
}

std::string Colour(const std::string& series, size_t index) {
  static const std::map<std::string, std::string> kFixed = {
      {"threads", "#1f77b4"}, {"processes", "#d62728"}, {"hybrid", "#2ca02c"}};
  static const char* kMore[] = {"#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  const auto fixed = kFixed.find(series);
  return fixed != kFixed.end() ? fixed->second : kMore[index % 6];
}

// A round axis maximum (1, 2 or 5 times a power of ten) at or above `value`.
double NiceCeiling(double value) {
  if (value <= 0) return 1;
  const double power = std::pow(10, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

using Points = std::vector<std::pair<int, double>>;

struct Panel {
  std::string workload;
  std::map<std::string, Points> series;
  std::vector<std::pair<std::string, double>> peers;
};

std::string DrawPanel(const Panel& panel, const Metric& metric,
                      const std::vector<std::string>& all_series, int x0, int y0) {
  const int w = kPanelWidth - kLeft - kRight, h = kPanelHeight - kTop - kBottom;
  std::set<int> counts;
  double top = 0;
  for (const auto& [name, points] : panel.series) {
    for (const auto& [n, v] : points) counts.insert(n), top = std::max(top, v);
  }
  for (const auto& [name, v] : panel.peers) top = std::max(top, v);
  const int max_count = counts.empty() ? 1 : *counts.rbegin();
  const double y_max = NiceCeiling(top * 1.05);
  auto px = [&](double n) { return x0 + kLeft + w * n / max_count; };
  auto py = [&](double v) { return y0 + kTop + h * (1 - v / y_max); };

  std::string svg =
      fmt::format("<g class=\"panel\" data-workload=\"{}\">\n", Escape(panel.workload));
  svg.append(fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n", x0 + kLeft,
                         y0 + 18, Escape(panel.workload)));
  // Axes, grid and ticks.
  svg.append(
      fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                  "stroke=\"#444\"/>\n",
                  x0 + kLeft, y0 + kTop, w, h));
  for (int i = 0; i <= 5; ++i) {
    const double v = y_max * i / 5;
    svg.append(
        fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                    "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n",
                    x0 + kLeft, x0 + kLeft + w, py(v), py(v), x0 + kLeft - 6, py(v) + 4, v));
  }
  for (int n : counts) {
    svg.append(
        fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#444\"/>"
                    "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                    px(n), y0 + kTop + h, y0 + kTop + h + 5, y0 + kTop + h + 18, n));
  }
  svg.append(
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">parallelism: threads, "
                  "workers, or workers x threads</text>\n",
                  x0 + kLeft + w / 2, y0 + kPanelHeight - 10));
  svg.append(
      fmt::format("<text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">"
                  "{}</text>\n",
                  x0 + 16, y0 + kTop + h / 2, Escape(metric.axis)));
  // One polyline per strategy, with a marker at each measured point.
  for (size_t i = 0; i < all_series.size(); ++i) {
    const auto found = panel.series.find(all_series[i]);
    if (found == panel.series.end()) continue;
    const std::string colour = Colour(all_series[i], i);
    std::string points, markers;
    for (const auto& [n, v] : found->second) {
      points.append(fmt::format("{:.1f},{:.1f} ", px(n), py(v)));
      markers.append(
          fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>"
                      "{} n={}: {:.2f} {}</title></circle>\n",
                      px(n), py(v), colour, Escape(all_series[i]), n, v, Escape(metric.axis)));
    }
    points.pop_back();
    svg.append(
        fmt::format("<polyline class=\"series\" data-strategy=\"{0}\" points=\"{1}\" "
                    "fill=\"none\" stroke=\"{2}\" stroke-width=\"2\"><title>{0}</title>"
                    "</polyline>\n",
                    Escape(all_series[i]), points, colour));
    svg.append(markers);
  }
  for (const auto& [name, v] : panel.peers) {
    svg.append(fmt::format(
        "<line class=\"peer\" data-peer=\"{0}\" x1=\"{1}\" x2=\"{2}\" y1=\"{3:.1f}\" "
        "y2=\"{3:.1f}\" stroke=\"#555\" stroke-dasharray=\"6 4\"/><text x=\"{4}\" y=\"{5:.1f}\" "
        "fill=\"#555\">{0} ({6:.1f})</text>\n",
        Escape(name), x0 + kLeft, x0 + kLeft + w, py(v), x0 + kLeft + 6, py(v) - 4, v));
  }
  return svg.append("</g>\n");
}

}  // namespace

std::string SvgChart(const BenchRun& run, const std::string& metric_name) {
  const Metric metric = MetricNamed(metric_name);
  std::vector<Panel> panels;
  std::vector<std::string> all_series;
  for (const Workload& w : run.workloads) {
    Panel panel;
    panel.workload = w.name;
    for (const ConfigResult& r : run.results) {
      if (!r.usable() || r.config.workload != w.name) continue;
      if (r.peer) {
        if (metric_name == "throughput")
          panel.peers.emplace_back(r.config.strategy, metric.value(r.median));
        continue;
      }
      const std::string series = r.config.Series();
      panel.series[series].emplace_back(r.config.parallelism(), metric.value(r.median));
      if (std::find(all_series.begin(), all_series.end(), series) == all_series.end()) {
        all_series.push_back(series);
      }
    }
    for (auto& [name, points] : panel.series) std::sort(points.begin(), points.end());
    panels.push_back(std::move(panel));
  }
  const int columns = panels.size() > 1 ? 2 : 1;
  const int rows = static_cast<int>((panels.size() + 1) / 2);
  const int width = columns * kPanelWidth, height = kHeader + std::max(1, rows) * kPanelHeight;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "version=\"1.1\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\">pixflow "
      "bench: {2} against parallelism, {3} cores, {4}</text>\n",
      width, height, Escape(metric.title), run.machine.cores, Escape(run.machine.cpu_model));
  // Legend: one swatch per strategy.
  int x = 12;
  for (size_t i = 0; i < all_series.size(); ++i) {
    svg.append(
        fmt::format("<g class=\"legend\"><line x1=\"{0}\" x2=\"{1}\" y1=\"48\" y2=\"48\" "
                    "stroke=\"{2}\" stroke-width=\"3\"/><text x=\"{3}\" y=\"52\">{4}</text>"
                    "</g>\n",
                    x, x + 24, Colour(all_series[i], i), x + 30, Escape(all_series[i])));
    x += 40 + 8 * static_cast<int>(all_series[i].size());
  }
  for (size_t i = 0; i < panels.size(); ++i) {
    const int px = static_cast<int>(i % 2) * kPanelWidth;
    const int py = kHeader + static_cast<int>(i / 2) * kPanelHeight;
    svg.append(DrawPanel(panels[i], metric, all_series, px, py));
  }
  return svg.append("</svg>\n");
}

}  // namespace pixflow::cli::bench
