from cortico.paint._naming import safe_name, unique_safe_names


def test_safe_name_removes_path_and_shell_characters():
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("sub 01; rm -rf ~") == "sub_01_rm_-rf"
    assert safe_name("Über été") == "Uber_ete"
    assert safe_name("...") == "image"
    assert len(safe_name("x" * 500)) == 80


def test_unique_names_after_sanitising():
    assert unique_safe_names(["a b", "a_b", "A_B", "", "12"]) == [
        "a_b",
        "a_b-2",
        "A_B-3",
        "row4",
        "12",
    ]
