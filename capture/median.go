package capture

import (
	"sort"
	"time"
)

// maxMedianBuckets bounds the distinct values a medianSketch keeps.
const maxMedianBuckets = 64

// medianSketch gives the median of a timeline's intervals in fixed
// memory. It counts the intervals by value, exactly while they take at
// most maxMedianBuckets distinct values (to the nanosecond); past that,
// values are grouped in buckets 2^shift ns wide, the width doubling
// until they fit. Each bucket keeps the smallest and largest value it
// holds, and the median is their middle: exact when the bucket holds one
// value (a regular phone's intervals), otherwise off by less than the
// bucket's width (microseconds for the jitter of a real capture).
type medianSketch struct {
	shift   uint
	n       int
	buckets []medianBucket // sorted by key
}

type medianBucket struct {
	key      int64
	n        int
	min, max time.Duration
}

func (m *medianSketch) add(d time.Duration) {
	m.n++
	key := int64(d) >> m.shift
	i := sort.Search(len(m.buckets), func(i int) bool { return m.buckets[i].key >= key })
	if i < len(m.buckets) && m.buckets[i].key == key {
		b := &m.buckets[i]
		b.n++
		b.min, b.max = min(b.min, d), max(b.max, d)
		return
	}
	m.buckets = append(m.buckets, medianBucket{})
	copy(m.buckets[i+1:], m.buckets[i:])
	m.buckets[i] = medianBucket{key: key, n: 1, min: d, max: d}
	for len(m.buckets) > maxMedianBuckets {
		m.coarsen()
	}
}

// coarsen doubles the bucket width, merging neighbours.
func (m *medianSketch) coarsen() {
	m.shift++
	j := 0
	for _, b := range m.buckets {
		b.key >>= 1
		if j > 0 && m.buckets[j-1].key == b.key {
			p := &m.buckets[j-1]
			p.n += b.n
			p.min, p.max = min(p.min, b.min), max(p.max, b.max)
			continue
		}
		m.buckets[j] = b
		j++
	}
	m.buckets = m.buckets[:j]
}

// median is the value of rank n/2 (0-based) in sorted order, as the
// intervals' median always was here; 0 without intervals.
func (m *medianSketch) median() time.Duration {
	rank := m.n / 2
	for _, b := range m.buckets {
		if rank < b.n {
			return b.min + (b.max-b.min)/2
		}
		rank -= b.n
	}
	return 0
}
