"""The view layer: the SVG figure, its key and gauges, matplotlib plots and tables.

Views draw what the layers below computed; matplotlib loads only when a plot is made.
"""
