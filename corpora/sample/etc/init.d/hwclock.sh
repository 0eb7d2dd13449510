#!/bin/sh
### BEGIN INIT INFO
# Provides:          hwclock
# Required-Start:
# Required-Stop:
# Default-Start:     S
# Default-Stop:      0 6
# Short-Description: Set and save the hardware clock.
### END INIT INFO

[ ! -r /etc/default/hwclock ] || . /etc/default/hwclock

case "$1" in
	start)
		# Reading the clock is fine.
		/sbin/hwclock --hctosys --utc
		;;
	stop|restart|reload|force-reload)
		# Saving the clock unconditionally writes the RTC and /etc/adjtime.
		/sbin/hwclock --systohc --utc
		# The administrator can switch this one off.
		if [ "$HWCLOCKACCESS" != no ]; then
			hwclock -w --utc
		fi
		;;
	show)
		hwclock --show
		;;
	*)
		echo "Usage: hwclock.sh {start|stop|show}" >&2
		exit 3
		;;
esac
