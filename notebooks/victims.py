# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Victims

# %% tags=["parameters"]
params_file = ""  # the pack's params YAML
work_dir = ""     # prepared tables written by the validation step
out_dir = ""      # the pack folder being built

# %%
from scrutiny.report import page
from scrutiny.report import victims_page as vp

p, period = page.start(params_file)
d = vp.build(work_dir, p, period)
vp.intro(d, out_dir)

# %%
vp.satisfaction(d, out_dir)
vp.rolling(d, out_dir)
vp.districts(d, out_dir)

# %%
vp.followup(d, out_dir)

# %%
vp.repeat(d, out_dir)
