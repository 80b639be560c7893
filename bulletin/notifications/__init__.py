"""Every mail the board sends, composed here: its subject and text, in the language the reader gets.

Views and commands decide *whether* and *when* a mail goes out; a module here decides what it says and
where its links lead. One module per audience or topic:

- ``accounts``   the password-reset link and "your password was changed"
- ``signups``    confirming a sign-up's address, the note to an address that has an account already,
                 and the coordinators' news of a confirmed sign-up
- ``reports``    a visitor's report, to the coordinators
- ``reminders``  the daily expiry reminder with one-click renew links
- ``digest``     the daily mail of new offers matching an organisation's requests

The parts every mail shares are public, so that a new audience (the desk's mails to organisations and
staff, the dashboard's invitation of a new member) becomes one more module built the same way:

- ``language``  which language a mail speaks: a composer writes in the current language; mails that
                answer nobody's request (to the coordinators, the daily mails) are composed inside
                ``in_board_language()``, the board's default language, else English
- ``delivery``  ``Mail`` (subject and text), ``send`` / ``send_to_each`` / ``send_after_response``, and
                ``record_then_send`` for "record, mail, undo when none was sent"
- links are built by ``bulletin.links.external_url`` from ``BULLETIN_BASE_URL``, never from the request;
  ``accounts.reset_link`` and ``accounts.reset_hours`` serve every mail that invites to a new account.

Nothing here commits a view's change: a view commits first (bulletin.blueprints.transactions) and then
mails, so a mail never tells of a change that was not saved.
"""
