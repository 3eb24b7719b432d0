"""The classroom layer: the explorer widget, the clinic, the command line and the notebooks' copier.

ipywidgets and anywidget load only when an explorer is made.
"""
