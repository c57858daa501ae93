package sysmem

import "golang.org/x/sys/unix"

func total(string) (int64, string, error) {
	b, err := unix.SysctlUint64("hw.memsize")
	if err != nil || b == 0 {
		return 0, "", ErrUnknown
	}
	return int64(b), "RAM (hw.memsize)", nil
}
