"""One naming and one listing of a painting run's files."""

from cortico.paint import PaintSettings, check_paint_request, result_files, result_record, zip_members


def _record(**settings):
    table = check_paint_request(b"Image-name-unique,Left-Putamen\nsub 01,1\nsub/01,2\n", {}).table
    return result_record(PaintSettings(**settings).resolved(table.matrix()), table, ["a warning"])


def test_record_names_every_file_from_the_table_and_settings():
    record = _record(views=("top", "cortical-outer-left-hemisphere"), panel=True, panel_formats=("png", "svg"))
    assert [row["file_name"] for row in record["rows"]] == ["sub_01", "sub_01-2"]
    first = record["rows"][0]
    assert [image["file"] for image in first["images"]] == [
        "top_sub_01.png",
        "cortical-outer-left-hemisphere_sub_01.png",
    ]
    assert first["images"][1]["thumb"] == "thumbs/cortical-outer-left-hemisphere_sub_01.png"
    assert first["images"][1]["caption"] == "Left lateral"
    assert first["panels"] == ["panel_sub_01.png", "panel_sub_01.svg"]
    assert record["colorbars"] == ["colorbar.png", "colorbar.pdf", "colorbar.svg"]
    assert record["movies"] == [] and record["image_count"] == 4 and record["warnings"] == ["a warning"]
    assert (record["vmin"], record["vmax"]) == (1.0, 2.0)


def test_listing_and_zip_members_come_from_the_record():
    record = _record(views=("top",), movie=True, movie_formats=("gif",))
    kinds = [(entry["name"], entry["kind"]) for entry in result_files(record)]
    assert kinds == [
        ("top_sub_01.png", "image"),
        ("thumbs/top_sub_01.png", "thumbnail"),
        ("top_sub_01-2.png", "image"),
        ("thumbs/top_sub_01-2.png", "thumbnail"),
        ("colorbar.png", "colorbar"),
        ("colorbar.pdf", "colorbar"),
        ("colorbar.svg", "colorbar"),
        ("movie.gif", "movie"),
        ("settings.json", "settings"),
        ("values.csv", "table"),
        ("cortico-paint.zip", "zip"),
    ]
    assert zip_members(record) == [name for name, kind in kinds if kind not in ("thumbnail", "zip")]
