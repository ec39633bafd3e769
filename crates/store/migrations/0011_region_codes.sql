-- One stored form for a region: its 6-digit GB/T 2260 code. Screening wrote a resident's travel
-- origin as the code with a name ('420106 武昌区', or a prefix such as '4201 湖北省'), the
-- registry as the code alone ('420100'); answers kept the prefix ('4201'). Names are rendered
-- from the code where shown.

UPDATE residents SET travel_origin = substr(travel_origin, 1, 6)
WHERE substr(travel_origin, 7, 1) = ' '
  AND substr(travel_origin, 1, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 2, 1) BETWEEN '0' AND '9'
  AND substr(travel_origin, 3, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 4, 1) BETWEEN '0' AND '9'
  AND substr(travel_origin, 5, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 6, 1) BETWEEN '0' AND '9';

UPDATE residents SET travel_origin = substr(travel_origin, 1, 4) || '00'
WHERE substr(travel_origin, 5, 1) = ' '
  AND substr(travel_origin, 1, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 2, 1) BETWEEN '0' AND '9'
  AND substr(travel_origin, 3, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 4, 1) BETWEEN '0' AND '9';

UPDATE residents SET travel_origin = substr(travel_origin, 1, 2) || '0000'
WHERE substr(travel_origin, 3, 1) = ' '
  AND substr(travel_origin, 1, 1) BETWEEN '0' AND '9' AND substr(travel_origin, 2, 1) BETWEEN '0' AND '9';

UPDATE screening_answers SET origin_code = origin_code || '00' WHERE length(origin_code) = 4;

UPDATE screening_answers SET origin_code = origin_code || '0000' WHERE length(origin_code) = 2;
