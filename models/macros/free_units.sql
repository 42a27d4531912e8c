-- A stock state's units free to sell before the floor at 0: on hand less what is committed to orders, held for other uses, damaged, in quality control or kept as safety stock. Negative when more is promised than the shelf can give.
-- params: [state]
({{ state }}.on_hand - {{ state }}.committed - {{ state }}.reserved_other - {{ state }}.damaged - {{ state }}.quality_control - {{ state }}.safety_stock)
