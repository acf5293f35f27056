-- Why a pulled row waits in sync_parked: a parent not here yet (NULL), or the local checks
-- refused it (the reason, shown with the sync status).
ALTER TABLE sync_parked ADD COLUMN reason TEXT;
