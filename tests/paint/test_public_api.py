def test_public_names_are_sorted_and_counted():
    import cortico.paint

    assert cortico.paint.__all__ == sorted(cortico.paint.__all__)
    assert len(cortico.paint.__all__) == 50
    assert all(hasattr(cortico.paint, name) for name in cortico.paint.__all__)
