"""The front desk (Layanan Satu Pintu): what enters the office is registered once, routed,
followed up and filed into the archive through the archive's own filing steps.

Public use cases, by module:

- `letters`: register, attach, get_letter, list_letters: the agenda surat masuk
- `dispositions`: dispose, forward, mark_read, start, mark_done, withdraw, inbox: routing a
  letter and following it up
- `outgoing`: issue_number, file_letter, list_numbers, expire_reservations: the agenda surat
  keluar and its numbering
- `numbering`: the gap-free sequences behind agenda and letter numbers
- `views`: the rows as the doors show them, within the reader's clearance
"""

__all__ = ["dispositions", "letters", "numbering", "outgoing", "views"]
