"""Access and accounts: who someone is, what they may do and see.

Public use cases, by module:

- `auth`: login, login_with_token, session_principal, token_principal, logout, permitted
- `users`: add_user, update_user, set_active, reset_password, change_password, list_users,
  require: accounts, roles and clearances
- `tokens`: issue, list_own, revoke_own, revoke_all_own: API tokens
- `throttle`: limit_reached, record_failure: throttling password guesses
- `public_limits`: hit, record_trap: rate limits of the public pages and API per client
  address (counted in the database), the audit of a bot caught by the public forms' trap
- `duties`: refusal: separation of duties between proposer and approver
- `declassification`: file_request, approve, refuse, pending: lowering a record's security class
- `offices`: create_office, list_offices, ensure_office, office_of: the offices
  (satuan kerja) of a deployment and which office a new row belongs to
- `reach`: in_reach, within_reach: a principal's reach (their office, or every office for a
  province supervisor) as a SQL clause and as a check, applied where clearance is applied
"""

__all__ = ["auth", "declassification", "duties", "offices", "public_limits", "reach", "throttle",
           "tokens", "users"]
