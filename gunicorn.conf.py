"""gunicorn's settings for every server started from the project's folder (`make demo`, the tests, the
deployment guide's units): gunicorn reads ./gunicorn.conf.py by itself.

The master process logs before Django has set the time zone and the workers after, so one log mixed
UTC and +07:00 times. The zone is set here, first, for both: Vietnam's unless TIME_ZONE says otherwise
(the same variable as the Django setting).
"""

import os
import time

os.environ["TZ"] = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
time.tzset()

# A client that reads a page for a few seconds and then opens the next one reuses its connection;
# gunicorn's default (2 s) closed it while the request was on its way, and the client saw
# "connection reset" (12 of 561 requests in the bench's 60 s of 50 readers). Longer than a reader's
# pause; behind nginx (the deployment guide) the proxy holds the client's connection anyway.
keepalive = 10
