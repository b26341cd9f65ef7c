"""The front desk (Layanan Satu Pintu): what enters the office is registered once, routed,
followed up and filed into the archive through the archive's own filing steps.

Public use cases, by module:

- `letters`: register, attach, get_letter, list_letters: the agenda surat masuk
- `dispositions`: dispose, forward, mark_read, start, mark_done, withdraw, letter_of, inbox,
  waiting_count: routing a letter and following it up
- `outgoing`: issue_number, get_number, file_letter, list_numbers, expire_reservations: the
  agenda surat keluar and its numbering
- `notifications`: pending, count, send_digest: what waits on a user, in the app and by e-mail
- `numbering`: the gap-free sequences behind agenda and letter numbers
- `prefill`: prefill: a letter's fields read from its file (nothing stored)
- `suggestions`: retrain, suggest: classification codes suggested from a letter's text
- `signing`: check_files: the electronic signatures of a letter's PDFs, as stored facts
- `filing`: prepare_all, record_linked, failed, finish: filing a letter's files through the
  archive's own steps inside the desk's transaction
- `overview`: overview, recipients: the desk page, and whom a letter may be routed to
- `papers`: disposition_sheet, export_incoming, export_outgoing: the lembar disposisi (PDF) and
  the agenda registers as CSV, XLSX or PDF
- `views`: the rows as the doors show them, within the reader's clearance
"""

__all__ = ["dispositions", "filing", "letters", "notifications", "numbering", "outgoing",
           "overview", "papers", "prefill", "signing", "suggestions", "views"]
