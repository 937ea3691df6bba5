"""Build the small animated scene the farm example renders, and save it.

Run it in Blender, headless:

    blender -b --factory-startup --python make_scene.py -- OUT.blend

The scene is made here, in Python, so that no .blend binary is kept in the
repository: a turning cube on a floor, a camera and a sun, rendered by
Workbench (fast, no GPU needed: Blender falls back to EGL without a
display) at 160x90 into 8-bit PNG. Every metadata stamp is off so that
rendering a frame again gives the same bytes: publishing it again is then
recognised as the same revision.
"""

import math
import os
import sys

import bpy


def main(argv):
    args = argv[argv.index("--") + 1:] if "--" in argv else []
    if len(args) != 1 or not args[0].endswith(".blend"):
        raise SystemExit("usage: blender -b --factory-startup --python make_scene.py -- OUT.blend")
    out = os.path.abspath(args[0])

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.name = "farm"
    scene.frame_start, scene.frame_end = 1, 240

    bpy.ops.mesh.primitive_plane_add(size=8, location=(0, 0, 0))
    bpy.ops.mesh.primitive_cube_add(size=1.5, location=(0, 0, 1))
    cube = bpy.context.active_object
    cube.name = "turning cube"
    # One turn every 24 frames, so that each frame differs from the next.
    for frame, angle in ((1, 0.0), (25, 2 * math.pi)):
        cube.rotation_euler = (0.0, 0.0, angle)
        cube.keyframe_insert("rotation_euler", index=2, frame=frame)
    fcurve = cube.animation_data.action.fcurves.find("rotation_euler", index=2)
    fcurve.extrapolation = "LINEAR"
    for point in fcurve.keyframe_points:
        point.interpolation = "LINEAR"

    bpy.ops.object.camera_add(location=(5, -5, 3.5))
    camera = bpy.context.active_object
    constraint = camera.constraints.new("TRACK_TO")
    constraint.target = cube
    scene.camera = camera
    bpy.ops.object.light_add(type="SUN", location=(3, -2, 6))

    render = scene.render
    render.engine = "BLENDER_WORKBENCH"
    render.resolution_x, render.resolution_y, render.resolution_percentage = 160, 90, 100
    render.image_settings.file_format = "PNG"
    render.image_settings.color_mode = "RGB"
    render.image_settings.color_depth = "8"
    render.use_file_extension = True
    render.use_stamp = False
    for name in dir(render):
        if name.startswith("use_stamp_"):
            setattr(render, name, False)
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "OBJECT"
    cube.color = (0.9, 0.35, 0.1, 1.0)

    os.makedirs(os.path.dirname(out), exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
    print("kpublish farm scene: saved " + out)


main(sys.argv)
