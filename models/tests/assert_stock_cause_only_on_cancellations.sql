-- Only a cancelled line can have a stock cause, and a confirmed one always carries the stock_out reason.
-- severity: error
select order_id, line_id, status, cancel_reason, stock_cause
from {{ ref('fct_order_line') }}
where (stock_cause <> 'none' and status <> 'cancelled')
   or (stock_cause = 'confirmed' and cancel_reason is distinct from 'stock_out')
