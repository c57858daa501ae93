package sysmem

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTotal(t *testing.T) {
	const meminfo = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n"
	ram := int64(24576000) << 10
	tests := []struct {
		name     string
		files    map[string]string
		want     int64
		wantFrom string
		wantErr  bool
	}{
		{name: "RAM only", files: map[string]string{"proc/meminfo": meminfo}, want: ram, wantFrom: "RAM (/proc/meminfo)"},
		{name: "cgroup v2 limit", files: map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "4294967296\n"},
			want: 4 << 30, wantFrom: "cgroup limit (/sys/fs/cgroup/memory.max)"},
		{name: "cgroup v2 without limit", files: map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "max\n"},
			want: ram, wantFrom: "RAM (/proc/meminfo)"},
		{name: "cgroup v2 limit above RAM", files: map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "68719476736\n"},
			want: ram, wantFrom: "RAM (/proc/meminfo)"},
		{name: "the process's own v2 group", files: map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "0::/user.slice/job\n",
			"sys/fs/cgroup/memory.max": "max\n", "sys/fs/cgroup/user.slice/job/memory.max": "2147483648\n"},
			want: 2 << 30, wantFrom: "cgroup limit (/sys/fs/cgroup/user.slice/job/memory.max)"},
		{name: "cgroup v1 without limit", files: map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/job\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"},
			want: ram, wantFrom: "RAM (/proc/meminfo)"},
		{name: "cgroup v1 limit", files: map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "5:cpu,memory:/job\n",
			"sys/fs/cgroup/memory/job/memory.limit_in_bytes": "1073741824\n"},
			want: 1 << 30, wantFrom: "cgroup limit (/sys/fs/cgroup/memory/job/memory.limit_in_bytes)"},
		{name: "no meminfo", files: map[string]string{}, wantErr: true},
		{name: "meminfo without MemTotal", files: map[string]string{"proc/meminfo": "MemFree: 10 kB\n"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, from, err := total(root)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("total = %d, %q; want an error", got, from)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || from != tt.wantFrom {
				t.Errorf("total = %d, %q; want %d, %q", got, from, tt.want, tt.wantFrom)
			}
		})
	}
}

func TestTotalHere(t *testing.T) {
	got, from, err := Total()
	if err != nil {
		t.Fatal(err)
	}
	if got < 64<<20 {
		t.Errorf("Total = %d bytes (%s): less than 64 MiB", got, from)
	}
}
