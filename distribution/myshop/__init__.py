"""我的小店 (my shop) managed on the phone, and sharing: 选品, the shop profile, the share
sheet, product posters and the 素材库. A surface of the distribution app: it reads the
mall's catalogue and shops, and writes only through ``mall.services.shops``."""
