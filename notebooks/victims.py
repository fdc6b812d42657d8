# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
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
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/default.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/default/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/default"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/default"  # tables/*.csv are written under it

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
