# Houdini runs $HOUDINI_USER_PREF_DIR/scripts/456.py after each scene is
# opened or created: it installs kpublish's after-save callback.
import kpublish_houdini

kpublish_houdini.install()
