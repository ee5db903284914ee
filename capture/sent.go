package capture

// A direction's unacknowledged segments, oldest first: the head inline
// in seqDir, the rest in connExt.more. These helpers hide the split.

func (c *conn) sentLen(d int) int {
	if c.dir[d].head.frame == 0 {
		return 0
	}
	if c.ext == nil {
		return 1
	}
	return 1 + len(c.ext.more[d])
}

func (c *conn) sentAt(d, i int) *sentSeg {
	if i == 0 {
		return &c.dir[d].head
	}
	return &c.ext.more[d][i-1]
}

// dropSent forgets the n oldest segments of direction d.
func (c *conn) dropSent(d, n int, held *int) {
	total := c.sentLen(d)
	if n <= 0 || total == 0 {
		return
	}
	if n >= total {
		c.dir[d].head = sentSeg{}
		if total > 1 {
			*held -= total - 1
			more := c.ext.more[d]
			clear(more)
			c.ext.more[d] = more[:0]
		}
		return
	}
	// Shift down rather than reslice, so the slice keeps its capacity and
	// a long connection does not reallocate.
	more := c.ext.more[d]
	c.dir[d].head = more[n-1]
	k := copy(more, more[n:])
	clear(more[k:])
	c.ext.more[d] = more[:k]
	*held -= n
}

// releaseSent forgets the segments of direction d that ack covers.
func (c *conn) releaseSent(d int, ack uint32, held *int) {
	n, total := 0, c.sentLen(d)
	for n < total && leSeq(c.sentAt(d, n).end, ack) {
		n++
	}
	c.dropSent(d, n, held)
}

// addSent remembers a new segment of direction d, forgetting the oldest
// when the direction holds maxSent, or minSent once all flows together
// hold sentBudget.
func (c *conn) addSent(d int, s sentSeg, held *int) {
	limit := maxSent
	if *held >= sentBudget {
		limit = minSent
	}
	if n := c.sentLen(d); n >= limit {
		c.dropSent(d, n-limit+1, held)
	}
	if c.dir[d].head.frame == 0 {
		c.dir[d].head = s
		return
	}
	if c.ext == nil {
		c.ext = &connExt{}
	}
	c.ext.more[d] = append(c.ext.more[d], s)
	*held++
}
