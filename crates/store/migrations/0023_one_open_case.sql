-- A person is one case until it is excluded: the same resident, gate visitor, or unregistered
-- person of a building reported twice (by the hotline and the hospital, or a double click) is
-- refused with the case that exists.
CREATE UNIQUE INDEX cases_open_resident ON cases (resident_id)
    WHERE resident_id IS NOT NULL AND status <> 'excluded';
CREATE UNIQUE INDEX cases_open_visitor ON cases (visitor_id)
    WHERE visitor_id IS NOT NULL AND status <> 'excluded';
CREATE UNIQUE INDEX cases_open_unregistered ON cases (building_id, person_name)
    WHERE resident_id IS NULL AND visitor_id IS NULL AND status <> 'excluded';
