-- the word lists demo names are built from; prime-ish lengths keep index-based pairs unique
select
    [
        'Alex', 'Amelia', 'Ben', 'Carla', 'Chris', 'Dana', 'Daniel', 'Elena', 'Ethan',
        'Fatima', 'Grace', 'Hannah', 'Hugo', 'Isaac', 'Jade', 'James', 'Jenna', 'Kai',
        'Laura', 'Leo', 'Lena', 'Marcus', 'Maya', 'Mei', 'Nadia', 'Noah', 'Olivia', 'Omar',
        'Priya', 'Quinn', 'Rachel', 'Raj', 'Rosa', 'Ryan', 'Sam', 'Sara', 'Sean', 'Sofia',
        'Tariq', 'Tessa', 'Theo', 'Uma', 'Victor', 'Wendy', 'Will', 'Xavier', 'Yara', 'Zoe',
        'Aaron', 'Bianca', 'Caleb', 'Diego', 'Erin', 'Felix', 'Gemma', 'Ivan', 'Joel',
        'Keira', 'Luca'
    ] as first_names,
    [
        'Abbott', 'Ainsworth', 'Alvarez', 'Barlow', 'Bennett', 'Blackwood', 'Bradford',
        'Calloway', 'Carver', 'Chen', 'Collier', 'Dalton', 'Delaney', 'Dunmore', 'Ellison',
        'Emerson', 'Farrow', 'Fielding', 'Fletcher', 'Garrison', 'Gallagher', 'Hadley',
        'Hale', 'Harrington', 'Hastings', 'Holloway', 'Ingram', 'Jansen', 'Keating',
        'Kendall', 'Kowalski', 'Langford', 'Lockhart', 'Lyons', 'Marsh', 'McAllister',
        'Mercer', 'Morrow', 'Nakamura', 'Novak', 'Oakley', 'O''Hara', 'Pemberton',
        'Prescott', 'Quinlan', 'Radcliffe', 'Ramirez', 'Redmond', 'Rowe', 'Sandoval',
        'Sterling', 'Sutton', 'Talbot', 'Thornton', 'Underwood', 'Vance', 'Varga',
        'Wakefield', 'Whitaker', 'Winslow', 'Yardley', 'York', 'Zeller', 'Ashford',
        'Brennan', 'Castillo', 'Donovan', 'Easton', 'Fairbanks', 'Grayson', 'Hollis',
        'Iverson', 'Jarvis', 'Kirby', 'Lindqvist', 'Maddox', 'Nolan', 'Osborne', 'Patel',
        'Rhodes', 'Sinclair', 'Tran', 'Whitfield'
    ] as surnames,
    [
        'Harbourview', 'Northgate', 'Riverside', 'Westbrook', 'Oakridge', 'Maple Grove',
        'Cedar Park', 'Bayside', 'Hillcrest', 'Lakeside', 'Stonebridge', 'Fairview',
        'Kingsbury', 'Millbrook', 'Ashton', 'Brookfield', 'Clearwater', 'Eastfield',
        'Glenwood', 'Highland', 'Ironwood', 'Juniper', 'Kestrel Bay', 'Linden', 'Meadowbank',
        'Newhaven', 'Old Mill', 'Pinecrest', 'Queensbury', 'Redcliff', 'Silverlake',
        'Thornbury', 'Upton', 'Valley View', 'Wharfside', 'Willow Creek', 'Yarrow',
        'Beacon Hill', 'Copper Ridge', 'Driftwood', 'Elmstead', 'Foxhollow', 'Greystone',
        'Hawthorne', 'Ivy Lane', 'Larchmont', 'Mariners Point', 'Northbrook', 'Orchard Park',
        'Rosewood', 'Seacliff', 'Tidewater', 'Union Square', 'Vista Heights', 'Windmill Hill',
        'Anchor Bay', 'Birchwood', 'Coastline', 'Dockside', 'Evergreen', 'Lighthouse Point'
    ] as places,
    ['North', 'South', 'East', 'West', 'Central', 'Uptown', 'Midtown', 'Lakeshore'] as branches
