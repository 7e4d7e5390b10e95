-- workload.sql - a scripted sqlite3 workload for tests/real/run.sh: tables
-- filled by recursive CTEs, indexes, joins, GROUP BY, an update and a
-- delete, text building; every result is printed in a fixed order.
PRAGMA cache_size = -16000;
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, city TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, item TEXT, qty INTEGER, price REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO customer SELECT i, 'customer-' || i, 'city-' || (i * 37 % 101) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
INSERT INTO orders SELECT i, (i * 7919) % 5000 + 1, 'item-' || (i * 31 % 997),
       i % 13 + 1, ((i * 17) % 1000) / 10.0 FROM n;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_item ON orders(item, qty);
CREATE INDEX customer_city ON customer(city);
SELECT count(*), sum(qty), round(sum(qty * price), 2) FROM orders;
SELECT c.city, count(*), sum(o.qty), round(avg(o.price), 3)
  FROM orders o JOIN customer c ON c.id = o.customer
  GROUP BY c.city ORDER BY sum(o.qty) DESC, c.city LIMIT 8;
SELECT item, count(DISTINCT customer) AS buyers FROM orders
  GROUP BY item HAVING buyers > 118 ORDER BY buyers DESC, item LIMIT 5;
UPDATE orders SET price = price * 1.1 WHERE item IN (SELECT item FROM orders WHERE qty = 13 GROUP BY item HAVING count(*) > 9);
DELETE FROM orders WHERE id % 7 = 0;
SELECT count(*), round(sum(price), 2) FROM orders;
SELECT group_concat(name, ',') FROM (SELECT c.name FROM customer c
  WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id AND o.qty = 13 AND o.price > 99)
  ORDER BY c.id LIMIT 20);
SELECT length(group_concat(item || ':' || qty, ';')) FROM orders WHERE customer < 300;
CREATE TABLE summary AS SELECT customer, count(*) n, sum(qty) q FROM orders GROUP BY customer;
SELECT n, count(*) FROM summary GROUP BY n ORDER BY n LIMIT 6;
SELECT s.customer, s.q, c.city FROM summary s JOIN customer c ON c.id = s.customer
  ORDER BY s.q DESC, s.customer LIMIT 5;
