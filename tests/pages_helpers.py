"""Shared by the tests of the public pages (tests/test_pages*.py): a page's HTML, its status checked."""


def page_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()
