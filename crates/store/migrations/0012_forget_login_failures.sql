-- Failed sign-ins are counted in login_throttle (0008); the first table of attempts was never
-- written and goes.
DROP TABLE login_attempts;
