"""Home: the course — the study notes' questions in order, each a lesson with a real run."""

import streamlit as st

from ui import course, lesson

progress = lesson.state()
here = course.topic(st.query_params.get("topic"))
if here is None:
    lesson.index(progress)
else:
    lesson.lesson(progress, here)
lesson.write_url(progress, here.id if here else None)
