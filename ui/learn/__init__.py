"""The Learn pages' helpers (the Streamlit side of ``rlcore.learn``).

* ``explorer``: the layout of an explorer section, and :func:`~ui.learn.explorer.stepper`
  for the step-by-step ones (any :class:`rlcore.learn.Toy`);
* ``figures``: generic Plotly builders; ``offline_figures`` and ``maths_figures``: the
  figures of the Offline-ideas and Maths-toolbox explorers;
* ``links``: from an explorer to the page that trains an algorithm, and from an
  algorithm to its explorers.
"""
