"""The Streamlit-aware layer: cached store access, session state, formatting and shared widgets."""
