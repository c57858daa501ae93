package server

import (
	"hash/maphash"

	"github.com/persona-seg/persona"
)

// users holds a run's user ids and recommendations in a few flat,
// pointer-free arrays instead of a million strings and map entries, so the
// garbage collector has almost nothing to scan in a loaded run.
type users struct {
	buf   string   // every id, concatenated
	off   []uint32 // id i is buf[off[i]:off[i+1]]
	slots []int32  // open-addressing hash table of row numbers; -1 is empty
	seed  maphash.Seed

	products []string // distinct recommended products
	recOff   []uint32 // user i's recommendations are recs[recOff[i]:recOff[i+1]]
	recs     []recommended
}

type recommended struct {
	product int32
	score   float64
}

func newUsers(ids []string, recs map[string][]persona.Recommendation) *users {
	u := &users{seed: maphash.MakeSeed(), off: make([]uint32, 1, len(ids)+1), recOff: make([]uint32, 1, len(ids)+1)}
	size := 0
	for _, id := range ids {
		size += len(id)
	}
	b := make([]byte, 0, size)
	for _, id := range ids {
		b = append(b, id...)
		u.off = append(u.off, uint32(len(b)))
	}
	u.buf = string(b)
	n := 1
	for n < 2*len(ids) {
		n <<= 1
	}
	u.slots = make([]int32, n)
	for i := range u.slots {
		u.slots[i] = -1
	}
	mask := uint64(n - 1)
	for i := range ids {
		h := maphash.String(u.seed, u.id(i)) & mask
		for u.slots[h] >= 0 {
			if u.id(int(u.slots[h])) == u.id(i) {
				break // a repeated id: the first row wins
			}
			h = (h + 1) & mask
		}
		if u.slots[h] < 0 {
			u.slots[h] = int32(i)
		}
	}
	prod := map[string]int32{}
	for _, id := range ids {
		for _, r := range recs[id] {
			p, ok := prod[r.Product]
			if !ok {
				p = int32(len(u.products))
				prod[r.Product] = p
				u.products = append(u.products, r.Product)
			}
			u.recs = append(u.recs, recommended{p, r.Score})
		}
		u.recOff = append(u.recOff, uint32(len(u.recs)))
	}
	return u
}

// len returns the number of users.
func (u *users) len() int { return len(u.off) - 1 }

// id returns user i's id.
func (u *users) id(i int) string { return u.buf[u.off[i]:u.off[i+1]] }

// find returns the row of the user with the given id.
func (u *users) find(id string) (int, bool) {
	mask := uint64(len(u.slots) - 1)
	for h := maphash.String(u.seed, id) & mask; ; h = (h + 1) & mask {
		i := u.slots[h]
		if i < 0 {
			return 0, false
		}
		if u.id(int(i)) == id {
			return int(i), true
		}
	}
}

// recommendations returns user i's recommendations, best first.
func (u *users) recommendations(i int) []persona.Recommendation {
	rs := u.recs[u.recOff[i]:u.recOff[i+1]]
	if len(rs) == 0 {
		return nil
	}
	out := make([]persona.Recommendation, len(rs))
	for k, r := range rs {
		out[k] = persona.Recommendation{Product: u.products[r.product], Score: r.score}
	}
	return out
}
