-- Whether a cancel reason leaves the cause open (other, staff error, or none given): such a cancellation may hide a stock error, which fct_order_line infers from the stock around it.
-- params: [reason]
coalesce({{ reason }}, 'other') in ('other', 'staff_error')
