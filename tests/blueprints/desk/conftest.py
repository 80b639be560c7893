"""What the desk's tests share: a coordinator, signed in."""

import pytest


@pytest.fixture
def coordinator(make_user, login):
    user = make_user(role="coordinator", email="coordinator@board.example")
    login(user)
    return user
