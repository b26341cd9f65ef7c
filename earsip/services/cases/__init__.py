"""Cases brought to the front desk (Layanan Satu Pintu, part 2): requests for public
information, objections, reports of violations and the other services, registered once with
one number, kept on their legal clock in working days, and answered.

Public use cases, by module:

- `intake`: register, submit_request, submit_objection: one registration for every channel
- `handling`: start, extend, decide, answer, deliver, set_external_number: a case's owner at
  work (the answer letter numbered and filed through the desk's outgoing agenda)
- `routing`: route, respond, withdraw, assigned: a case's disposisi to units and their answers
- `views`: get_case, list_cases, track: the register, one case, the public's view
- `calendar`: ensure_years, load, year_view, change: the working-day calendar and its
  corrections
- `rules`: compute, current, set_rule, add_period, remove_period: the deadline rules as
  versioned data and the clocks computed from them
- `guests`: add_visit, list_visits: the guest book (buku tamu) for visitors who bring no case
- `windows`: check_dates, check_window, objection_cause: when a case was brought, and whether
  within its filing window
- `types`: what each case type is (owner, classification code)
- `tracking`: the public's tracking codes
- `papers`: export_register: the Buku Register Permohonan and the Register Keberatan as CSV,
  XLSX or PDF (personal columns for the case's owner only)
- `annual`: report, export_report: the annual Laporan Layanan Informasi Publik
- `personal`: on_case_closed: the retention of identity scans (`EARSIP_IDENTITY_RETENTION`)
"""

__all__ = ["annual", "calendar", "guests", "handling", "intake", "papers", "personal", "routing",
           "rules", "tracking", "types", "views", "windows"]
