# Accounts use django.contrib.auth's User; roles are the groups Authors and Moderators
# (created by roundups' data migration). Karma is computed from comment scores.
