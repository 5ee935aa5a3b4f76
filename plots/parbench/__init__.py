"""parbench's Python side: reading reports and drawing them (plots/README.md).

Modules that use only the standard library, and so import without matplotlib (the tests and the
result page read reports through them):
    report      the one reader of the schema (reports/SCHEMA.md), which every other module
                reads a report through: files, gzip, size caps, journals, incomplete reports,
                non-finite numbers; Run, Report (runtimes, caches, ...), Registry, Timeline;
                KNOWN_BACKENDS
    stats       the median of the repetitions and its confidence interval
    palette     colours, line styles and markers of backends, launches and reports
    selection   which runs, lines and worker counts a figure shows; Skip; notes on stderr
    trace       a Gantt chart's timelines in Chrome's Trace Event Format
    page        the result page (figures come in as SVG text)
    gallery     the gallery of machines: finding them, their numbers, its page

Modules that draw (matplotlib):
    style            axes, points with their interval, legends, title and corners
    sum_figures      bandwidth, bandwidth_policies, speedup, sum_split
    launch_figures   launch
    task_figures     makespan, gantt_sleep, gantt_spin, sleep_spin
    compare_figures  compare_bandwidth, compare_speedup (several reports)
    gallery_figures  gallery
    cli              the command line, main and its exit statuses

Nothing is imported here, so that `import parbench.report` does not pull in matplotlib.
"""
