"""Retention and disposition: the JRA in use and the ways a record leaves the active archive.

Public use cases, by module:

- `cycle`: run, report, view_report, read_report, export_report: the daily phase run and the
  retention reports
- `holds`: place_hold, lift_hold, list_holds, held_ids: legal holds
- `destruction`: propose, remove_item, approve, cancel: destruction lists (pemusnahan)
- `destruction_execution`: execute, finish_interrupted: the records destroyed, the papers filed
- `destruction_views`: candidates, get_list, view_list, list_lists: the read side of destruction
- `destruction_papers`: list_pdf, destruction_record, file_papers: the Daftar Arsip Usul Musnah
  and Berita Acara
- `transfer`: prepare, confirm, cancel, write_zip: handing arsip statis over (penyerahan)
- `transfer_contents`: what a package holds besides the originals (metadata, the decisions)
- `transfer_views`: candidates, get_transfer, list_transfers: the read side of transfers
"""

__all__ = [
    "cycle",
    "destruction",
    "destruction_execution",
    "destruction_papers",
    "destruction_views",
    "holds",
    "transfer",
    "transfer_contents",
    "transfer_views",
]
