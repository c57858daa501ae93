package prep

import "fmt"

// ColumnError reports a problem with one column of an input matrix.
type ColumnError struct {
	Index int    // 0-based column index in the matrix given to the function
	Name  string // column name, when the caller supplied names
	Err   error
}

func (e *ColumnError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("column %q: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("column %d: %v", e.Index, e.Err)
}

func (e *ColumnError) Unwrap() error { return e.Err }
